/**
 * Process entry point: settings from the environment, a pino logger, listen, and a bounded graceful stop
 * (close-with-grace). On SIGTERM or SIGINT: /readyz answers 503 at once while every route keeps serving for
 * SHUTDOWN_DELAY_SECONDS (so the Service stops sending here), then the port closes and in-flight hooks
 * finish; SHUTDOWN_TIMEOUT_SECONDS bounds it all, whatever the clients do, and a second signal exits at once.
 */
import closeWithGrace from 'close-with-grace'
import { setTimeout as sleep } from 'node:timers/promises'
import { pino } from 'pino'
import { buildApp } from './http/app.js'
import { trackConnections } from './http/connections.js'
import { loadSettings, type Settings } from './settings.js'

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let settings: Settings
  try {
    settings = loadSettings(env)
  } catch (err) {
    process.stderr.write(`mcpregistry-hook: ${(err as Error).message}\n`)
    process.exit(2)
  }
  const logger = pino({ level: settings.logLevel, base: { service: 'mcpregistry-hook' } })
  let draining = false
  const app = buildApp({ settings, logger, ready: () => !draining })
  const endIdleConnections = trackConnections(app.server)
  const { shutdown } = settings
  closeWithGrace(
    {
      delay: shutdown.timeoutSeconds * 1000,
      logger: false, // the two callbacks below log instead, as JSON
      onTimeout: (delay: number) => logger.error({ delayMs: delay }, 'shutdown took too long: exiting with requests unfinished'),
      onSecondSignal: (signal: string) => logger.error({ signal }, 'second signal: exiting at once'),
      // a bug that throws crashes the process at once, with its stack (the Deployment restarts it)
      skip: ['uncaughtException', 'unhandledRejection'],
    },
    async ({ signal }) => {
      draining = true
      logger.info({ signal, delaySeconds: shutdown.delaySeconds }, 'shutting down: /readyz answers 503, still serving')
      await sleep(shutdown.delaySeconds * 1000)
      logger.info('closing: no new connections, finishing in-flight hooks')
      const closed = app.close()
      endIdleConnections()
      await closed
    },
  )
  await app.listen({ port: settings.port, host: settings.host })
  logger.info({ image: settings.image, clusterDomain: settings.clusterDomain, bodyLimit: settings.bodyLimit }, 'ready')
}

await main()
