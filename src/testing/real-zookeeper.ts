// Start and control real Apache ZooKeeper 3.8 servers (Debian's package) on loopback, for the
// integration suite and the benchmarks: standalone or a 3/5-node ensemble, kill -9, restart, pause.
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { logger } from '../debug.js'

const log = logger('real-zk')
const SCRIPT = fileURLToPath(new URL('../../scripts/zookeeper.sh', import.meta.url))
const ZKSERVER = '/usr/share/zookeeper/bin/zkServer.sh'

/** One real server process. */
export interface RealServer {
  id: number
  clientPort: number
  /** The secure (TLS) client port, when started with `secureClient`. */
  secureClientPort: number | undefined
  /** The AdminServer's HTTP port on 127.0.0.1, when started with `adminServer: true`. */
  adminPort: number | undefined
  /** PID of the java process while it runs. */
  readonly pid: number | undefined
  /** Send a signal (default SIGKILL) and wait for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Start (again) on the same ports and data; resolves when it serves. */
  start(): Promise<void>
  /** SIGTERM, then SIGKILL after 5 s; resolves when gone. */
  stop(): Promise<void>
  /** Freeze (SIGSTOP) / thaw (SIGCONT) the process. */
  pause(): void
  resume(): void
}

/** A running standalone server or ensemble. */
export interface RealEnsemble {
  /** "127.0.0.1:p1,127.0.0.1:p2,…" */
  connectString: string
  /** The same for the secure client ports, when started with `secureClient`. */
  secureConnectString: string | undefined
  servers: RealServer[]
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Whether Debian's ZooKeeper (and java) are installed here. */
export function realZooKeeperAvailable(): boolean {
  return existsSync(ZKSERVER) && existsSync('/usr/bin/java')
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** Send a four-letter word and return the whole answer ('' when the server closes without one). */
export function fourLetterWord(host: string, port: number, cmd: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const sock = net.connect(port, host, () => sock.write(cmd))
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`${cmd} timed out`)))
    sock.on('data', (c) => chunks.push(c))
    sock.on('error', reject)
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

const live = new Set<ChildProcess>()
const killLive = () => {
  for (const p of live) p.kill('SIGKILL')
}
process.on('exit', killLive)
// A test runner stops a test that runs too long with a signal, which skips 'exit': take the servers
// down, then let the signal do what it would have done.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killLive()
    process.kill(process.pid, signal)
  })
}

/** Options of {@link startRealZooKeeper}. */
export interface RealZooKeeperOptions {
  size?: 1 | 3 | 5
  tickTime?: number
  minSessionTimeout?: number
  maxSessionTimeout?: number
  /** Also serve the AdminServer (`/commands`) on a free port per server (off by default). */
  adminServer?: boolean
  /**
   * The four-letter words the servers answer (`4lw.commands.whitelist`; default all). `srvr` is
   * always added: start-up waits on it.
   */
  fourLetterWords?: string[]
  /**
   * Also serve TLS clients on a free secureClientPort per server (Netty, as ZooKeeper needs for
   * TLS), with these PKCS12 stores (generateTestCerts({ java: true }) makes them); `superUser` is
   * zookeeper.X509AuthenticationProvider.superUser, the certificate subject that is super.
   */
  secureClient?: {
    keyStore: string
    trustStore: string
    password: string
    clientAuth?: 'need' | 'want' | 'none'
    superUser?: string
  }
  /**
   * Configure SASL on the client port: a JAAS `Server` section with these DIGEST-MD5 users, the SASL
   * auth provider (so `sasl` ACLs are valid), and with `enforce` zookeeper.sessionRequireClientSASLAuth.
   * With `jaas`, that text is the JAAS file instead, as written (its Server section names the users).
   */
  sasl?: { users?: Record<string, string>; enforce?: boolean; jaas?: string }
  /**
   * More JVM flags for every server, after the script's (`-Xmx256m -XX:+UseSerialGC
   * -XX:TieredStopAtLevel=1`, sized for servers that live seconds), so they win: a benchmark that
   * loads a million znodes passes `-Xmx4g`, say, and `-XX:TieredStopAtLevel=4` for the full JIT.
   */
  jvmFlags?: string[]
}

/** `value` as a java.util.Properties file holds it (zoo.cfg is read as one, in ISO-8859-1). */
function propertiesValue(value: string): string {
  return value.replace(/[\\]|[^ -~]/g, (c) => (c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))
}

/** A JAAS login configuration with a DigestLoginModule `Server` section of `users`. */
function jaasServerSection(users: Record<string, string>): string {
  const q = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`
  const entries = Object.entries(users).map(([name, password]) => `  user_${name}=${q(password)}`)
  return `Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n${entries.join('\n')};\n};\n`
}

/** Start real ZooKeeper: size 1 (standalone), 3 or 5. Resolves when every server serves. */
export async function startRealZooKeeper(opts: RealZooKeeperOptions = {}): Promise<RealEnsemble> {
  if (!realZooKeeperAvailable()) throw new Error('Debian zookeeper is not installed (apt-get install -y zookeeper)')
  const size = opts.size ?? 1
  const root = mkdtempSync(path.join(tmpdir(), 'zookit-real-zk-'))
  const ids = Array.from({ length: size }, (_, i) => i + 1)
  const ports: { client: number; quorum: number; election: number; admin: number | undefined; secure: number | undefined }[] = []
  const taken = new Set<number>()
  const pick = async () => {
    for (;;) {
      const p = await freePort()
      if (!taken.has(p)) {
        taken.add(p)
        return p
      }
    }
  }
  for (const _ of ids)
    ports.push({
      client: await pick(),
      quorum: await pick(),
      election: await pick(),
      admin: opts.adminServer ? await pick() : undefined,
      secure: opts.secureClient ? await pick() : undefined,
    })
  const tls = opts.secureClient
  const serversArg = size > 1 ? ids.map((id, i) => `${id}=127.0.0.1:${ports[i]!.quorum}:${ports[i]!.election}`).join(',') : ''
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZK_TICK_TIME: String(opts.tickTime ?? 2000),
    ...(opts.minSessionTimeout ? { ZK_MIN_SESSION: String(opts.minSessionTimeout) } : {}),
    ...(opts.maxSessionTimeout ? { ZK_MAX_SESSION: String(opts.maxSessionTimeout) } : {}),
    ...(opts.fourLetterWords ? { ZK_4LW_WHITELIST: [...new Set(['srvr', ...opts.fourLetterWords])].join(',') } : {}),
    ...(tls
      ? {
          ZK_SSL_KEYSTORE: tls.keyStore,
          ZK_SSL_TRUSTSTORE: tls.trustStore,
          ZK_SSL_PASSWORD: tls.password,
          ZK_SSL_CLIENT_AUTH: tls.clientAuth ?? 'need',
          ...(tls.superUser === undefined ? {} : { ZK_X509_SUPERUSER: propertiesValue(tls.superUser) }),
        }
      : {}),
  }
  if (opts.jvmFlags?.length) env.SERVER_JVMFLAGS = [process.env.SERVER_JVMFLAGS, ...opts.jvmFlags].filter(Boolean).join(' ')
  if (opts.sasl) {
    const jaas = path.join(root, 'jaas.conf')
    writeFileSync(jaas, opts.sasl.jaas ?? jaasServerSection(opts.sasl.users ?? {}))
    const flags = [
      `-Djava.security.auth.login.config=${jaas}`,
      '-Dzookeeper.authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
      ...(opts.sasl.enforce ? ['-Dzookeeper.sessionRequireClientSASLAuth=true'] : []),
    ]
    env.SERVER_JVMFLAGS = [env.SERVER_JVMFLAGS, ...flags].filter(Boolean).join(' ')
  }

  const servers: RealServer[] = ids.map((id, i) => {
    const clientPort = ports[i]!.client
    const adminPort = ports[i]!.admin
    const secureClientPort = ports[i]!.secure
    const dir = path.join(root, `server-${id}`)
    let proc: ChildProcess | undefined
    let exited: Promise<void> = Promise.resolve()
    let output = ''
    const server: RealServer = {
      id,
      clientPort,
      secureClientPort,
      adminPort,
      get pid() {
        return proc?.pid
      },
      async start() {
        if (proc) throw new Error(`server ${id} is already running`)
        const args = size > 1 ? [dir, String(clientPort), String(id), serversArg] : [dir, String(clientPort)]
        const serverEnv = {
          ...env,
          ...(adminPort === undefined ? {} : { ZK_ADMIN_PORT: String(adminPort) }),
          ...(secureClientPort === undefined ? {} : { ZK_SECURE_PORT: String(secureClientPort) }),
        }
        const p = spawn('bash', [SCRIPT, ...args], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] })
        proc = p
        live.add(p)
        // For .ci/run, which stops by PID any server a test leaves behind (and only those).
        if (process.env.ZOOKIT_PIDFILE && p.pid) appendFileSync(process.env.ZOOKIT_PIDFILE, `${p.pid}\n`)
        output = ''
        const keep = (c: Buffer) => {
          output = (output + c.toString()).slice(-4000)
        }
        p.stdout!.on('data', keep)
        p.stderr!.on('data', keep)
        exited = new Promise((resolve) =>
          p.once('exit', (code, sig) => {
            log('server %d exited (%s)', id, sig ?? code)
            live.delete(p)
            if (proc === p) proc = undefined
            resolve()
          }),
        )
        log('server %d starting on %d (pid %d)', id, clientPort, p.pid)
        const failed = () => (proc === p ? undefined : `server ${id} exited during start-up:\n${output}`)
        await waitServing(clientPort, failed, size > 1)
        // ZooKeeper logs a failed AdminServer start and carries on without it, so check it answers.
        if (adminPort !== undefined) await waitAdminServing(adminPort, failed, () => output)
      },
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        const p = proc
        if (!p) return
        if (signal === 'SIGKILL') p.kill('SIGCONT')
        p.kill(signal)
        await exited
      },
      async stop() {
        const p = proc
        if (!p) return
        p.kill('SIGCONT')
        p.kill('SIGTERM')
        const timer = setTimeout(() => p.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      },
      pause() {
        proc?.kill('SIGSTOP')
      },
      resume() {
        proc?.kill('SIGCONT')
      },
    }
    return server
  })

  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()))
    rmSync(root, { recursive: true, force: true })
  }
  try {
    await Promise.all(servers.map((s) => s.start()))
  } catch (err) {
    await stop()
    throw err
  }
  return {
    connectString: servers.map((s) => `127.0.0.1:${s.clientPort}`).join(','),
    secureConnectString: tls ? servers.map((s) => `127.0.0.1:${s.secureClientPort}`).join(',') : undefined,
    servers,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

/** Poll a starting server with ruok/srvr until it serves (leader/follower/standalone), up to 60 s. */
async function waitServing(port: number, failed: () => string | undefined, quorum: boolean): Promise<void> {
  const deadline = Date.now() + 60_000
  let delay = 25
  for (;;) {
    const why = failed()
    if (why) throw new Error(why)
    try {
      const srvr = await fourLetterWord('127.0.0.1', port, 'srvr', 1000)
      if (/Mode: (leader|follower|standalone)/.test(srvr) && (!quorum || !/not currently serving/.test(srvr))) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`real ZooKeeper on port ${port} did not start serving within 60 s`)
    await new Promise((r) => setTimeout(r, delay))
    delay = Math.min(200, delay * 2)
  }
}

/** Poll the AdminServer's ruok until it answers JSON, up to 20 s (it starts before the client port). */
async function waitAdminServing(port: number, failed: () => string | undefined, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const why = failed()
    if (why) throw new Error(why)
    if (await adminRuok(port)) return
    if (Date.now() > deadline) throw new Error(`real ZooKeeper's AdminServer on port ${port} did not answer within 20 s:\n${output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function adminRuok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/commands/ruok', timeout: 1000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
      res.on('error', () => resolve(false))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}
