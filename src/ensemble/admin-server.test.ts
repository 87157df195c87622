// The AdminServer over HTTP: routes and status codes as ZooKeeper 3.8's Jetty answers them, a port
// per server of a quorum (in-process and per process), kill/restart/pause, and failures to start.
import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import { startEnsemble } from './index.js'
import { freePort } from '../testing/real-zookeeper.js'

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

function request(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

const command = async (port: number, name: string) => JSON.parse((await request(port, `/commands/${name}`)).body) as Record<string, unknown>

t.test('routes, methods and status codes as in ZooKeeper 3.8', async (t) => {
  const ens = await startEnsemble({ adminPort: 0 })
  t.teardown(() => ens.stop())
  const port = ens.adminPortOf(0)!
  t.ok(port > 0, 'the port the OS picked')
  t.equal(ens.servers[0]!.adminPort, port)

  const ruok = await request(port, '/commands/ruok')
  t.equal(ruok.status, 200)
  t.equal(ruok.headers['content-type'], 'application/json')
  t.equal(ruok.body, '{\n  "command" : "ruok",\n  "error" : null\n}', "the bytes ZooKeeper's Jetty sends")
  const index = await request(port, '/commands')
  t.equal(index.status, 200)
  t.match(index.body, /^<a href="\/commands\/configuration">configuration<\/a>\n<br\/>\n/)
  t.equal(index.body.match(/<a href=/g)?.length, 26, 'a link per command')
  t.equal((await request(port, '/commands/')).body, index.body)

  t.same(await command(port, 'nosuch'), { command: 'nosuch', error: 'Unknown command: nosuch' }, 'unknown: 200 with an error')
  t.same(await command(port, 'ruok/extra'), { command: 'ruok/extra', error: 'Unknown command: ruok/extra' })
  t.same(await command(port, '%72uok'), { command: 'ruok', error: null }, 'the name is URL-decoded')
  t.same(
    await command(port, 'stmk?traceMask=12'),
    { tracemask: 12, command: 'set_trace_mask', error: null },
    'query parameters are arguments',
  )
  t.equal((await command(port, 'mntr')).server_state, 'standalone')

  t.equal((await request(port, '/')).status, 404)
  t.equal((await request(port, '/commandsx')).status, 404)
  t.equal((await request(port, '/commands/ruok', 'POST')).status, 405)
  t.equal((await request(port, '/commands/ruok', 'PUT')).status, 405)
  t.equal((await request(port, '/commands/ruok', 'TRACE')).status, 403, 'TRACE is refused, as ZooKeeper constrains it')
  const options = await request(port, '/commands/ruok', 'OPTIONS')
  t.same([options.status, options.headers.allow], [200, 'GET, HEAD, TRACE, OPTIONS'])
  const head = await request(port, '/commands/ruok', 'HEAD')
  t.same([head.status, head.body, head.headers['content-length']], [200, '', String(ruok.body.length)], 'HEAD: the headers alone')
})

t.test('off unless asked for', async (t) => {
  const ens = await startEnsemble()
  t.teardown(() => ens.stop())
  t.equal(ens.adminPortOf(0), undefined)
  t.throws(() => ens.adminPortOf(1), RangeError)
})

t.test('a quorum: a port per server, kept across kill and restart; a paused server holds its requests', async (t) => {
  const ens = await startEnsemble({ size: 3, adminPort: 0 })
  t.teardown(() => ens.stop())
  const ports = [0, 1, 2].map((i) => ens.adminPortOf(i)!)
  t.equal(new Set(ports).size, 3)
  for (const [i, p] of ports.entries()) t.equal((await command(p, 'conf')).server_id, i + 1, `server ${i} answers on its own port`)

  const l = ens.leader()!
  await ens.kill(l)
  await t.rejects(request(ports[l]!, '/commands/ruok'), { code: 'ECONNREFUSED' }, 'a killed server serves nothing')
  await ens.restart(l)
  await ens.waitForMode(l, ['leader', 'follower'])
  t.equal(ens.adminPortOf(l), ports[l])
  t.same(await command(ports[l]!, 'ruok'), { command: 'ruok', error: null }, 'the restarted server answers on the same port')

  const [a, b] = [0, 1, 2].filter((i) => i !== ens.leader()) as [number, number]
  ens.pause(a)
  let answered = false
  const held = request(ports[a]!, '/commands/isro').then((r) => ((answered = true), r))
  // A full round trip to another server of this process: the paused one would have answered by now.
  await request(ports[b]!, '/commands/ruok')
  await request(ports[b]!, '/commands/ruok')
  t.notOk(answered, 'nothing is answered while paused')
  ens.resume(a)
  t.equal((await held).status, 200, 'answered once resumed')
})

t.test('consecutive ports from a base port', async (t) => {
  // Three ports in a row that are free now: the ensemble takes base, base+1, base+2.
  let base = 0
  for (;;) {
    base = await freePort()
    if (base > 65530) continue
    const taken = await Promise.all([1, 2].map((d) => portInUse(base + d)))
    if (!taken.some(Boolean)) break
  }
  const ens = await startEnsemble({ size: 3, adminPort: base })
  t.teardown(() => ens.stop())
  t.same(
    [0, 1, 2].map((i) => ens.adminPortOf(i)),
    [base, base + 1, base + 2],
  )
})

t.test('servers in processes of their own serve it too', async (t) => {
  const ens = await startEnsemble({ size: 3, processes: true, adminPort: 0 })
  t.teardown(() => ens.stop())
  for (const i of [0, 1, 2]) t.equal((await command(ens.adminPortOf(i)!, 'conf')).server_id, i + 1)
})

t.test('a port in use fails the start, and nothing is left listening', async (t) => {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const taken = (blocker.address() as net.AddressInfo).port
  const clientPort = await freePort()
  await t.rejects(startEnsemble({ port: clientPort, adminPort: taken }), /AdminServer could not listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
  t.notOk(await portInUse(clientPort), 'the client port was closed again')
  await t.rejects(startEnsemble({ adminPort: -1 }), RangeError)
  await t.rejects(startEnsemble({ adminPort: '8080' as unknown as number }), TypeError)
  await t.rejects(startEnsemble({ size: 3, adminPort: 65534 }), /adminPort must be a whole number from 0 to 65533/)
})

/** Whether something listens on 127.0.0.1:`port` (a connection is accepted). */
function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}
