/**
 * The graceful stop's connection tracking (src/http/connections.ts), on a real HTTP server in this process:
 * when the stop begins, connections without a request in flight end at once, and one with a request in flight
 * ends as soon as its answer is written. Every wait here is for an event; none is for time.
 */
import { once } from 'node:events'
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t, { type Test } from 'tap'
import { trackConnections } from '../src/http/connections.js'

async function serve(t: Test, handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler)
  const endIdle = trackConnections(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return { server, endIdle, port: (server.address() as AddressInfo).port }
}

t.test('a connection that never sent a request ends when the stop begins', async (t) => {
  const { server, endIdle, port } = await serve(t, (_req, res) => res.end())
  const client = connect(port, '127.0.0.1')
  const [socket] = (await once(server, 'connection')) as [Socket]
  const closed = once(client, 'close')
  endIdle()
  t.ok(socket.destroyed, 'ended at once by the server')
  await closed
  t.pass('and the client sees it closed')
})

t.test('before the stop, a kept-alive connection stays open after its answer', async (t) => {
  let served: Socket | undefined
  const { port } = await serve(t, (req, res) => {
    served = req.socket
    res.end('done')
  })
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const req = request({ port, host: '127.0.0.1', path: '/', agent })
  req.end()
  const [response] = (await once(req, 'response')) as [IncomingMessage]
  for await (const _ of response);
  t.notOk(served?.destroyed, 'open for the next request')
})

t.test('a connection with a request in flight is kept until its answer is written, then ended', async (t) => {
  let inFlight: { res: ServerResponse; socket: Socket } | undefined
  const { server, endIdle, port } = await serve(t, (req, res) => {
    inFlight = { res, socket: req.socket }
  })
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const req = request({ port, host: '127.0.0.1', path: '/', agent })
  req.end()
  await once(server, 'request')
  const { res, socket } = inFlight as { res: ServerResponse; socket: Socket }
  endIdle()
  t.notOk(socket.destroyed, 'not ended while its request is in flight')
  const answered = once(res, 'close')
  res.end('done')
  const [response] = (await once(req, 'response')) as [IncomingMessage]
  let body = ''
  for await (const chunk of response) body += chunk
  t.equal(body, 'done', 'the answer arrives whole')
  await answered
  t.ok(socket.destroyed, 'then the kept-alive connection is ended at once, not left to hold the exit')
})

t.test('a connection that closed is not kept (no memory grows with the connections served)', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const { server, port } = await serve(t, (_req, res) => res.end())
  let ref: WeakRef<Socket> | undefined
  server.once('connection', (socket: Socket) => {
    ref = new WeakRef(socket)
  })
  const client = connect(port, '127.0.0.1')
  await once(server, 'connection')
  const serverSide = once(ref?.deref() as Socket, 'close')
  client.end()
  await serverSide
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  t.equal(ref?.deref(), undefined, 'the closed socket was collected')
})
