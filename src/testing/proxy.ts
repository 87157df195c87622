// A loopback TCP proxy for fault injection in tests: forward, hold (pause) or cut the traffic between
// clients and one server, without touching either side. A tap sees every byte, for recording.
import net from 'node:net'
import { logger } from '../debug.js'

const log = logger('proxy')

/** A running proxy: clients connect to `port`; bytes go to and from `target`. */
export interface TcpProxy {
  readonly host: string
  readonly port: number
  /** "127.0.0.1:<port>", for connect strings. */
  readonly address: string
  /** Connections currently open through the proxy. */
  readonly connections: number
  /** Stop forwarding in both directions; bytes are held (not lost) until resume(). New connections wait too. */
  pause(): void
  /** Forward again, flushing everything held. */
  resume(): void
  /** Destroy every open connection (both sides see a reset/close); the proxy keeps listening. */
  cut(): void
  /** Refuse (close at once) new connections while true. */
  refuse(on: boolean): void
  /** Close the listener and every connection. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Sees what passes through the proxy, link by link (links are numbered from 0 in accept order). */
export interface ProxyTap {
  opened?(link: number): void
  /** Bytes as they pass: 'up' from the client to the server, 'down' back. */
  data?(link: number, dir: 'up' | 'down', chunk: Buffer): void
  /** The link ended; `by` is the side whose socket closed first ('proxy' for cut() and close()). */
  closed?(link: number, by: 'client' | 'server' | 'proxy'): void
}

interface Link {
  id: number
  client: net.Socket
  server: net.Socket
  held: { to: net.Socket; chunk: Buffer }[]
}

/** Start a proxy on 127.0.0.1 (a port it picks) forwarding to `target`. */
export async function startProxy(target: { host: string; port: number }, tap: ProxyTap = {}): Promise<TcpProxy> {
  const links = new Set<Link>()
  let nextLink = 0
  let paused = false
  let refusing = false

  const forward = (from: net.Socket, to: net.Socket, link: Link, dir: 'up' | 'down') => {
    from.on('data', (chunk: Buffer) => {
      tap.data?.(link.id, dir, chunk)
      if (paused) link.held.push({ to, chunk })
      else to.write(chunk)
      log('%s %d byte(s)%s', dir, chunk.length, paused ? ' held' : '')
    })
  }

  const listener = net.createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const server = net.connect(target.port, target.host)
    const link: Link = { id: nextLink++, client, server, held: [] }
    links.add(link)
    tap.opened?.(link.id)
    client.setNoDelay(true)
    server.setNoDelay(true)
    // Forward by hand rather than with pipe(): pipe() may resume a source on 'drain', which would
    // undo pause(). While paused, chunks are held in order and flushed by resume().
    forward(client, server, link, 'up')
    forward(server, client, link, 'down')
    const drop = (by: 'client' | 'server') => () => {
      if (!links.delete(link)) return
      tap.closed?.(link.id, by)
      client.destroy()
      server.destroy()
    }
    client.on('error', drop('client'))
    server.on('error', drop('server'))
    client.on('close', drop('client'))
    server.on('close', drop('server'))
  })

  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (listener.address() as net.AddressInfo).port
  log('proxy 127.0.0.1:%d → %s:%d', port, target.host, target.port)

  const proxy: TcpProxy = {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return links.size
    },
    pause() {
      paused = true
    },
    resume() {
      paused = false
      for (const l of links) {
        for (const { to, chunk } of l.held.splice(0)) if (!to.destroyed) to.write(chunk)
      }
    },
    cut() {
      for (const l of [...links]) {
        links.delete(l)
        tap.closed?.(l.id, 'proxy')
        l.client.destroy()
        l.server.destroy()
      }
    },
    refuse(on: boolean) {
      refusing = on
    },
    async close() {
      proxy.cut()
      await new Promise<void>((resolve) => listener.close(() => resolve()))
    },
    [Symbol.asyncDispose]() {
      return proxy.close()
    },
  }
  return proxy
}
