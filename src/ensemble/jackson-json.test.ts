import t from 'tap'
import { JavaDouble, jacksonJson } from './jackson-json.js'

t.test('the bytes real ZooKeeper 3.8 sends for ruok', async (t) => {
  // GET /commands/ruok on Debian's ZooKeeper 3.8.0 answered these 42 bytes.
  t.equal(jacksonJson({ command: 'ruok', error: null }), '{\n  "command" : "ruok",\n  "error" : null\n}')
})

t.test('nesting, arrays and empty containers as Jackson indents them', async (t) => {
  const cons = {
    connections: [{ remote_socket_address: '127.0.0.1:1', session_id: 72057911192649728n }],
    secure_connections: [],
    current_config: {},
  }
  t.equal(
    jacksonJson(cons),
    [
      '{',
      '  "connections" : [ {',
      '    "remote_socket_address" : "127.0.0.1:1",',
      '    "session_id" : 72057911192649728',
      '  } ],',
      '  "secure_connections" : [ ],',
      '  "current_config" : { }',
      '}',
    ].join('\n'),
    'objects in arrays indent by depth; longs past 2^53 stay exact',
  )
  t.equal(jacksonJson({ p: ['/p', '/nope'], n: [1, 2] }), '{\n  "p" : [ "/p", "/nope" ],\n  "n" : [ 1, 2 ]\n}')
  t.equal(jacksonJson({ s: 'a "quoted"\nline' }), '{\n  "s" : "a \\"quoted\\"\\nline"\n}')
})

t.test('Java doubles keep their decimal point', async (t) => {
  t.equal(new JavaDouble(0).toString(), '0.0')
  t.equal(new JavaDouble(2.3333).toString(), '2.3333')
  t.equal(new JavaDouble(5).toString(), '5.0')
  t.equal(new JavaDouble(1e7).toString(), '1.0E7')
  t.equal(new JavaDouble(0.0001).toString(), '1.0E-4')
  t.equal(jacksonJson({ avg: new JavaDouble(0), nan: new JavaDouble(NaN) }), '{\n  "avg" : 0.0,\n  "nan" : "NaN"\n}')
})
