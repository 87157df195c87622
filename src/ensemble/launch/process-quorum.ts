// A quorum of 3 or 5 bundled servers, each in a child process of its own (peer-process.ts), so that
// kill is a real SIGKILL and pause a real SIGSTOP. Faults and tree operations go over IPC.
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Ensemble, EnsembleOptions } from '../ensemble.js'
import type { ServerMode } from '../server.js'
import type { ChildConfig, FromChild, ToChild } from '../peer-process.js'
import type { PeerAddress } from '../peer-links.js'
import { AdminCalls } from '../admin-calls.js'
import { buildEnsemble, notifyRoleChange, type MemberMode, type RoleChanges } from './members.js'
import { adminPortFor, ensembleSecret, peerFsync, secureClientFor } from './quorum-settings.js'
import type { Pem, SecureClientOptions } from '../secure-listener.js'

/** PEM as text, which the IPC channel's JSON carries unchanged (a Buffer it would not). */
function pemText(pem: Pem): string
function pemText(pem: Pem | Pem[] | undefined): string | string[] | undefined
function pemText(pem: Pem | Pem[] | undefined): string | string[] | undefined {
  if (pem === undefined) return undefined
  return Array.isArray(pem) ? pem.map((p) => p.toString()) : pem.toString()
}

function forChild(s: SecureClientOptions | undefined): SecureClientOptions | undefined {
  return s && { ...s, key: pemText(s.key), cert: pemText(s.cert), ca: pemText(s.ca) }
}

/** The peer process module, compiled or (under a TypeScript loader) as source. */
function childModule(): string {
  const js = fileURLToPath(new URL('../peer-process.js', import.meta.url))
  return existsSync(js) ? js : fileURLToPath(new URL('../peer-process.ts', import.meta.url))
}

interface Child {
  proc: ChildProcess
  mode: MemberMode
  paused: boolean
  clientPort: number
  /** The election port. */
  quorumPort: number
  learnerPort: number
  adminPort?: number
  securePort?: number
  exited: Promise<void>
}

/** Start `size` peer processes; resolves once every one serves unless `waitForLeader` is false. */
export async function startProcessQuorum(opts: EnsembleOptions, size: number): Promise<Ensemble> {
  const ids = Array.from({ length: size }, (_, i) => i + 1)
  const host = opts.host ?? '127.0.0.1'
  const ownDir = !opts.dataDir
  const base = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'zookit-ensemble-'))
  const secret = ensembleSecret(base).toString('base64')
  const {
    size: _s,
    peerTickMs,
    peerSilenceTicks,
    waitForLeader: wait,
    processes: _p,
    dataDir: _d,
    fsync: _f,
    port,
    host: _h,
    secureClient: _t,
    quorumTls,
    ...server
  } = opts
  // IPC carries JSON: the PEM goes as text.
  const tls = quorumTls && { ca: quorumTls.ca.toString(), cert: quorumTls.cert.toString(), key: quorumTls.key.toString() }
  const children: Child[] = []
  const changes: RoleChanges = new Set()
  const calls = new AdminCalls()
  const tell = (i: number, m: ToChild) => {
    const c = children[i]
    if (c && c.mode !== 'down' && c.proc.connected) c.proc.send(m)
  }

  const spawnChild = (
    i: number,
    ports?: { clientPort: number; quorumPort: number; learnerPort: number; adminPort?: number; securePort?: number },
  ): Promise<Child> =>
    new Promise((resolve, reject) => {
      const proc = fork(childModule(), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      let child: Child | undefined
      let startError: string | undefined
      proc.on('error', () => {}) // a message to a process that just died; its exit is handled below
      const exited = new Promise<void>((r) => proc.once('exit', () => r()))
      proc.on('message', (m: FromChild) => {
        if (m.ev === 'listening') {
          child = {
            proc,
            mode: 'looking',
            paused: false,
            clientPort: m.clientPort,
            quorumPort: m.quorumPort,
            learnerPort: m.learnerPort,
            adminPort: m.adminPort,
            securePort: m.securePort,
            exited,
          }
          resolve(child)
        } else if (m.ev === 'mode' && child) {
          child.mode = m.mode as ServerMode
          notifyRoleChange(changes)
        } else if (m.ev === 'admin') {
          calls.answer(m)
        } else if (m.ev === 'error' && !child) {
          // It could not start (a port in use, say) but lives on: end it; its exit fails the start.
          startError = m.message
          proc.kill('SIGKILL')
        }
      })
      proc.once('exit', (code, signal) => {
        if (!child) reject(new Error(startError ? `server ${i}: ${startError}` : `server ${i} exited before listening (${signal ?? code})`))
        else {
          child.mode = 'down'
          calls.serverGone(i)
          notifyRoleChange(changes)
        }
      })
      const config: ChildConfig = {
        id: i + 1,
        voters: ids,
        dataDir: path.join(base, `server${i + 1}`),
        secret,
        tls,
        clientPort: ports?.clientPort ?? (port ? port + i : undefined),
        quorumPort: ports?.quorumPort,
        learnerPort: ports?.learnerPort,
        adminPort: ports?.adminPort ?? adminPortFor(opts, i),
        secureClient: forChild(secureClientFor(opts, i, ports?.securePort)),
        fsync: peerFsync(opts),
        peerTickMs,
        peerSilenceTicks,
        // A dir the caller gave is theirs to keep; our temporary one must not outlive a killed parent.
        removeWhenOrphaned: ownDir ? base : undefined,
        server,
      }
      proc.send({ cmd: 'config', config } satisfies ToChild)
    })

  const peerList = () => children.map((c, i): [number, PeerAddress] => [i + 1, { host, port: c.quorumPort, learnerPort: c.learnerPort }])
  const started = await Promise.allSettled(ids.map((_, i) => spawnChild(i)))
  const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = started.find((r) => r.status === 'rejected')
  if (failed) {
    // The servers that did start must not linger, nor their temporary directory.
    for (const c of up) c.proc.kill('SIGKILL')
    await Promise.all(up.map((c) => c.exited))
    if (ownDir) rmSync(base, { recursive: true, force: true })
    throw failed.reason
  }
  children.push(...up)
  children.forEach((_, i) => tell(i, { cmd: 'start', peers: peerList() }))

  const kill = async (i: number) => {
    const c = children[i]!
    if (c.mode === 'down') return
    c.proc.kill('SIGKILL')
    await c.exited
  }
  return buildEnsemble(
    {
      size,
      servers: [],
      host,
      clientPort: (i) => children[i]!.clientPort,
      securePort: (i) => children[i]!.securePort,
      adminPort: (i) => children[i]!.adminPort,
      mode: (i) => children[i]!.mode,
      paused: (i) => children[i]!.paused,
      kill,
      async restart(i) {
        await kill(i)
        const old = children[i]!
        children[i] = await spawnChild(i, {
          clientPort: old.clientPort,
          // The same peer ports: the other peers know this server by them.
          quorumPort: old.quorumPort,
          learnerPort: old.learnerPort,
          adminPort: old.adminPort,
          securePort: old.securePort,
        })
        tell(i, { cmd: 'start', peers: peerList() })
      },
      pause(i) {
        const c = children[i]!
        if (c.mode === 'down' || c.paused) return
        c.paused = true
        c.proc.kill('SIGSTOP')
      },
      resume(i) {
        const c = children[i]!
        if (!c.paused) return
        c.paused = false
        c.proc.kill('SIGCONT')
      },
      dropConnections: (i) => tell(i, { cmd: 'dropConnections' }),
      // The expiry happens in the leader's process, asynchronously.
      expire: (i, id) => (tell(i, { cmd: 'expire', sessionId: id.toString() }), true),
      links: {
        block: (i, peerIds) => tell(i, { cmd: 'block', peers: peerIds }),
        heal: (i) => tell(i, { cmd: 'heal' }),
        drop: (i, to, on) => tell(i, { cmd: 'drop', to, on }),
        delay: (i, to, ms) => tell(i, { cmd: 'delay', to, ms }),
      },
      admin: (i, req) =>
        calls.call(
          i,
          (rid) => {
            const c = children[i]
            if (!c || c.mode === 'down' || !c.proc.connected) return false
            c.proc.send({ cmd: 'admin', rid, req } satisfies ToChild)
            return true
          },
          req,
        ),
      async stopAll() {
        await Promise.all(
          children.map(async (c) => {
            if (c.mode === 'down') return
            if (c.paused) c.proc.kill('SIGCONT')
            c.proc.kill('SIGKILL')
            await c.exited
          }),
        )
        if (ownDir) rmSync(base, { recursive: true, force: true })
      },
    },
    changes,
    wait ?? true,
  )
}
