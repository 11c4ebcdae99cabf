/**
 * The baseline of the HTTP benchmark: a bare Fastify route (the hook's Fastify version and body limit) that
 * parses the request body with Fastify's own JSON parser and answers a fixed body, the hook's answer to the
 * same request, byte for byte. Plain JavaScript on the built settings, so that it runs as the hook does:
 * `node bench/baseline-server.mjs PORT ANSWER_FILE` (sync.bench.ts starts it).
 */
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import { loadSettings } from '../dist/settings.js'

const [port, answerFile] = process.argv.slice(2)
const answer = readFileSync(answerFile, 'utf8')
const app = Fastify({ bodyLimit: loadSettings({}).bodyLimit })
app.post('/sync', async (req, reply) => {
  if (typeof req.body !== 'object' || req.body === null) return reply.code(400).send()
  return reply.type('application/json; charset=utf-8').send(answer)
})
app.get('/healthz', async () => ({ status: 'ok' }))
await app.listen({ port: Number(port), host: '127.0.0.1' })
