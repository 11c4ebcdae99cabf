/**
 * The HTTP edge (SPEC §5): routes, request validation, error answers, logs and metrics around the pure core
 * in hook.ts. Never listens by itself: server.ts does, and tests use `app.inject`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { KEEP_ALIVE_TIMEOUT_SECONDS } from '../basics/constants.js'
import { ContentCaches } from '../basics/content-cache.js'
import { fieldPath } from '../basics/field-path.js'
import { customize, serialise, sync, syncFallback } from '../hook.js'
import { etagMatches, Etags } from './etag.js'
import { BodyError, parseBody } from './json-body.js'
import { Metrics } from './metrics.js'
import { CustomizeRequest, SyncRequest } from '../schema/hook.js'
import type { Settings } from '../settings.js'

export interface AppOptions {
  settings: Settings
  /** A pino logger; silent when absent. */
  logger?: FastifyBaseLogger
  /** The clock, for condition transition times. */
  now?: () => Date
  /** False while the process shuts down: /readyz answers 503. */
  ready?: () => boolean
  /** The core behind /sync and /finalize (tests give one that fails, to see the fallback). */
  sync?: typeof sync
  /** The content caches (by default new ones of CACHE_ENTRIES entries). */
  caches?: ContentCaches
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The ETag of the answer to this request's body (sync routes only). */
    etag: string
    /** If-None-Match named that ETag: answered 304 before the body is parsed. */
    notModified: boolean
  }
}

/** The routes whose answers carry an ETag. */
const SYNC_ROUTES = new Set(['/sync', '/finalize'])

interface ValidationItem {
  instancePath: string
  params?: { missingProperty?: string }
  message: string
}

/** `parent` + `/metadata` + missing `name` → `parent.metadata.name`. */
function fieldOf(item: ValidationItem): string {
  const parts = item.instancePath.split('/').filter((p) => p !== '')
  if (item.params?.missingProperty !== undefined) parts.push(item.params.missingProperty)
  return parts.length > 0 ? fieldPath('', parts) : '(body)'
}

type App = ReturnType<typeof createFastify>

/** The Fastify instance with the hook's limits and timeouts, typed from the TypeBox schemas. */
function createFastify(opts: AppOptions) {
  const { settings } = opts
  return Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : {}),
    bodyLimit: settings.bodyLimit,
    // a slow or stalled client is cut off: the whole request within REQUEST_TIMEOUT_SECONDS (checked every
    // second, not Node's default 30 s), idle keep-alive connections after KEEP_ALIVE_TIMEOUT_SECONDS, and any
    // socket silent for longer than that
    requestTimeout: settings.requestTimeoutSeconds * 1000,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    connectionTimeout: (KEEP_ALIVE_TIMEOUT_SECONDS + 5) * 1000,
    http: { connectionsCheckingInterval: 1000 },
    // one line per hook call is written by the handlers below, with the parent's identity
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()
}

/** Metacontroller always sends JSON; anything else (text/plain included) is a client error, answered as 400. */
function addBodyParsers(app: App, etags: Etags): void {
  app.removeAllContentTypeParsers()
  app.decorateRequest('etag', '')
  app.decorateRequest('notModified', false)
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // the ETag is known from the bytes alone: a match is answered 304 (preValidation below) without parsing
    if (SYNC_ROUTES.has(req.routeOptions.url as string)) {
      req.etag = etags.of(body as string)
      if (etagMatches(req.headers['if-none-match'], req.etag)) {
        req.notModified = true
        return done(null, {})
      }
    }
    try {
      done(null, parseBody(body as string))
    } catch (err) {
      ;(err as FastifyError).statusCode = 400
      done(err as FastifyError, undefined)
    }
  })
  app.addContentTypeParser('*', (_req, _payload, done) => {
    const err = new Error('Content-Type must be application/json') as FastifyError
    err.statusCode = 400
    done(err, undefined)
  })
}

/** 400 naming the field, 413 for a body over BODY_LIMIT, 500 without details, 404 naming the route. */
function addErrorHandlers(app: App, settings: Settings): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const code = err.statusCode ?? 500
    if (code >= 500) {
      req.log.error({ err }, 'hook failed')
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'The hook failed; see its logs.' })
    }
    if (err.validation) {
      const item = err.validation[0] as ValidationItem
      const field = fieldOf(item)
      const what = item.params?.missingProperty !== undefined ? 'is required' : item.message
      const message = `${field}: ${what}; send a Metacontroller hook request (controller, parent, children, related, finalizing)`
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message, field })
    }
    // the body as a whole: not JSON, not application/json, empty, or too large
    if (code === 413) {
      const message = `Request body is larger than BODY_LIMIT (${settings.bodyLimit} bytes); raise BODY_LIMIT`
      return reply.code(413).send({ statusCode: 413, error: 'Payload Too Large', message, field: '(body)' })
    }
    const field = err instanceof BodyError ? err.field : '(body)'
    return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message, field })
  })

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `No route ${req.method} ${req.url}` })
  })
}

/**
 * Node's requestTimeout stops counting once the headers are in, so a body that stalls or trickles would hold
 * its connection (and a shutdown) forever: the body too must arrive within REQUEST_TIMEOUT_SECONDS.
 */
function addBodyTimeout(app: App, settings: Settings): void {
  const bodyTimeoutMs = settings.requestTimeoutSeconds * 1000
  const bodyTimers = new WeakMap<object, NodeJS.Timeout>()
  const bodyReceived = async (req: { raw: object }): Promise<void> => clearTimeout(bodyTimers.get(req.raw))
  app.addHook('onRequest', async (req) => {
    req.log.debug({ method: req.method, url: req.url }, 'request received')
    const timer = setTimeout(() => {
      req.log.warn({ method: req.method, url: req.url }, 'request body not received within REQUEST_TIMEOUT_SECONDS: closing the connection')
      req.raw.destroy()
    }, bodyTimeoutMs)
    bodyTimers.set(req.raw, timer)
  })
  app.addHook('preValidation', bodyReceived)
  app.addHook('onResponse', bodyReceived)
  app.addHook('onRequestAbort', bodyReceived)
}

/** POST /sync, /finalize and /customize: the core, its fallback, one log line per call. */
function addHookRoutes(app: App, opts: AppOptions, metrics: Metrics, caches: ContentCaches): void {
  const { settings } = opts
  const now = opts.now ?? (() => new Date())
  const core = opts.sync ?? sync
  /** The core's answer; should the core fail, the fallback that still finalizes and loses nothing. */
  const answer = (body: SyncRequest, log: FastifyInstance['log']): ReturnType<typeof sync> => {
    try {
      return core(body, settings, now(), caches)
    } catch (err) {
      log.error({ err, namespace: body.parent.metadata.namespace, name: body.parent.metadata.name }, 'the hook failed on this request; answering the fallback')
      return syncFallback(body, now())
    }
  }

  const syncHandler = async (body: SyncRequest, log: FastifyInstance['log']): Promise<string> => {
    const started = performance.now()
    const { response, outcome } = answer(body, log)
    metrics.observeSync(outcome.phase)
    if (outcome.validationFailure !== undefined) metrics.observeFailure(outcome.validationFailure)
    const meta = body.parent.metadata
    log.info(
      {
        namespace: meta.namespace,
        name: meta.name,
        generation: meta.generation,
        finalizing: body.finalizing === true,
        phase: outcome.phase,
        children: response.children.length,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      },
      'sync',
    )
    return serialise(response)
  }

  for (const url of SYNC_ROUTES) {
    const preValidation = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
      if (!req.notModified) return undefined
      req.log.info({ etag: req.etag, notModified: true }, 'sync')
      return reply.code(304).header('etag', req.etag).send()
    }
    app.post(url, { schema: { body: SyncRequest }, preValidation }, async (req, reply) => {
      const body = await syncHandler(req.body, req.log)
      return reply.type('application/json; charset=utf-8').header('etag', req.etag).send(body)
    })
  }

  app.post('/customize', { schema: { body: CustomizeRequest } }, async (req, reply) => {
    const body = req.body
    const answer = customize(body)
    req.log.info({ namespace: body.parent.metadata.namespace, name: body.parent.metadata.name, related: answer.relatedResources.length }, 'customize')
    return reply.type('application/json; charset=utf-8').send(serialise(answer))
  })
}

export function buildApp(opts: AppOptions): FastifyInstance {
  const ready = opts.ready ?? (() => true)
  const metrics = new Metrics()
  const caches = opts.caches ?? new ContentCaches(opts.settings.cacheEntries)
  metrics.watchCaches(caches)
  const app = createFastify(opts)
  addBodyParsers(app, new Etags(opts.settings))
  addErrorHandlers(app, opts.settings)
  addBodyTimeout(app, opts.settings)
  app.addHook('onResponse', async (req, reply) => {
    metrics.observeRequest(req.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000)
  })
  addHookRoutes(app, opts, metrics, caches)
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_req, reply) => (ready() ? { status: 'ready' } : reply.code(503).send({ status: 'draining' })))
  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()))

  return app
}
