// startEnsemble() refuses options that make no sense before starting anything: a wrong type is a
// TypeError, a value out of range a RangeError, and each message names the option and the value.
import t from 'tap'
import { startEnsemble, type EnsembleOptions } from './index.js'
import { validateEnsembleOptions } from './options.js'

t.test('invalid options are refused by name, with the value', async (t) => {
  const cases: [Record<string, unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
    [{ tickTime: -5 }, RangeError, /^startEnsemble: tickTime must be a whole number of ms from 1 to 2147483647, got -5$/],
    [{ tickTime: 0 }, RangeError, /tickTime .* got 0$/],
    [{ tickTime: NaN }, RangeError, /tickTime .* got NaN$/],
    [{ tickTime: Infinity }, RangeError, /tickTime .* got Infinity$/],
    [{ tickTime: '200' }, TypeError, /tickTime .* got the string "200"$/],
    [{ port: -1 }, RangeError, /port must be a whole number from 0 to 65535, got -1$/],
    [{ port: 70000 }, RangeError, /port .* got 70000$/],
    [{ port: 65534, size: 3 }, RangeError, /port must be a whole number from 0 to 65533, got 65534$/],
    [{ port: '2181' }, TypeError, /port .* got the string "2181"$/],
    [{ host: '' }, RangeError, /host must not be empty/],
    [{ minSessionTimeout: -1 }, RangeError, /minSessionTimeout .* got -1$/],
    [{ maxSessionTimeout: 1.5 }, RangeError, /maxSessionTimeout .* got 1\.5$/],
    [
      { minSessionTimeout: 5000, maxSessionTimeout: 4000 },
      RangeError,
      /minSessionTimeout \(5000 ms\) is above maxSessionTimeout \(4000 ms\)/,
    ],
    [
      { tickTime: 100, minSessionTimeout: 5000 },
      RangeError,
      /minSessionTimeout \(5000 ms\) is above maxSessionTimeout \(2000 ms, 20 ticks\)/,
    ],
    [{ size: 0 }, RangeError, /size must be a whole number of servers from 1 to 15, got 0$/],
    [{ size: 2.5 }, RangeError, /size .* got 2\.5$/],
    [{ size: '3' }, TypeError, /size .* got the string "3"$/],
    [{ maxBuffer: 0 }, RangeError, /maxBuffer .* got 0$/],
    [{ snapshotEvery: -10 }, RangeError, /snapshotEvery .* got -10$/],
    [{ containerCheckInterval: 0 }, RangeError, /containerCheckInterval .* got 0$/],
    [{ peerTickMs: -1 }, RangeError, /peerTickMs .* got -1$/],
    [{ peerSilenceTicks: 0 }, RangeError, /peerSilenceTicks .* got 0$/],
    [
      { maxClientCnxns: -1 },
      RangeError,
      /maxClientCnxns must be a whole number of connections \(0: no limit\) from 0 to 2147483647, got -1$/,
    ],
    [{ globalOutstandingLimit: 1.5 }, RangeError, /globalOutstandingLimit .* got 1\.5$/],
    [{ sessionlessConnectionTimeout: 0 }, RangeError, /sessionlessConnectionTimeout .* got 0$/],
    [{ fourLetterWords: 'ruok' }, TypeError, /fourLetterWords must be '\*' or an array of four-letter words, got the string "ruok"$/],
    [{ fourLetterWords: [7] }, TypeError, /fourLetterWords .* got 7 in the array$/],
    [
      { fourLetterWords: ['ruok', 'mntR'] },
      RangeError,
      /fourLetterWords has "mntR", which is not a four-letter word of ZooKeeper 3\.8 \(ruok, srvr/,
    ],
    [{ dataDir: 42 }, TypeError, /dataDir must be a string, got 42$/],
    [{ fsync: 'yes' }, TypeError, /fsync must be true or false, got the string "yes"$/],
    [{ ttlEnabled: 1 }, TypeError, /ttlEnabled must be true or false, got 1$/],
    [{ sasl: true }, TypeError, /sasl must be an object \{ users, enforce\? \}, got true$/],
    [{ sasl: {} }, TypeError, /sasl\.users must be an object of user names to passwords, got undefined$/],
    [{ sasl: { users: { bob: 7 } } }, TypeError, /sasl\.users\.bob must be a password string, got 7$/],
    [{ sasl: { users: { '': 'x' } } }, RangeError, /sasl\.users has an empty user name$/],
    [{ sasl: { users: {}, enforce: 'yes' } }, TypeError, /sasl\.enforce must be true or false, got the string "yes"$/],
  ]
  for (const [opts, type, message] of cases) {
    t.throws(
      () => validateEnsembleOptions(opts as EnsembleOptions),
      { name: type.name, message },
      JSON.stringify(opts, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)),
    )
  }
  t.doesNotThrow(
    () => validateEnsembleOptions({ tickTime: 200, minSessionTimeout: 400, maxSessionTimeout: 4000, port: 0, size: 3 }),
    'sensible options pass',
  )
})

t.test('startEnsemble checks before it starts anything', async (t) => {
  await t.rejects(startEnsemble({ tickTime: -5 }), { name: 'RangeError', message: /tickTime .* got -5/ })
  await t.rejects(startEnsemble({ size: 3, peerTickMs: 0 }), { name: 'RangeError', message: /peerTickMs/ })
})
