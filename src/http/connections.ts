/** Connections of the HTTP server, for the graceful stop (src/server.ts). */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Returns a function that ends every connection without a request in flight, now and as each in-flight
 * one finishes. Node's close() ends only kept-alive connections: one that never sent a request is not idle
 * to it, and once the server closes no timeout ends it, so it would hold the exit until the bound.
 */
export function trackConnections(server: Server): () => void {
  const open = new Set<Socket>()
  const busy = new Set<Socket>()
  let closing = false
  server.on('connection', (socket: Socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  })
  server.on('request', (req, res) => {
    busy.add(req.socket)
    res.once('close', () => {
      busy.delete(req.socket)
      if (closing) req.socket.destroy()
    })
  })
  return () => {
    closing = true
    for (const socket of open) if (!busy.has(socket)) socket.destroy()
  }
}
