// TypeDoc settings for `npm run docs` (HTML in docs/api/, git-ignored) and scripts/docs.test.ts, which
// fails on any warning. The entry points are the package's exports: zookit, zookit/recipes,
// zookit/ensemble, zookit/admin.
/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'zookit',
  entryPoints: ['src/index.ts', 'recipes/index.ts', 'src/ensemble/index.ts', 'src/admin/index.ts'],
  // The published sources only (no tests), as npm run build compiles them.
  tsconfig: 'tsconfig.build.json',
  out: 'docs/api',
  readme: 'none',
  // No source links: the repository has no public remote to link to.
  disableSources: true,
  // Members in the order their sources give them (opcodes, error codes and methods read as written).
  sort: ['source-order'],
  excludePrivate: true,
  excludeProtected: true,
  // `@internal` marks members that are public only for the package's own tests and wiring.
  excludeInternal: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true, rewrittenLink: true, unusedMergeModuleWith: true },
  // Every declaration needs a comment except the members of the wire constant tables (OpCode,
  // ErrorCode, …): those keep ZooKeeper's own names and the docs show each value.
  requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'Property', 'Method', 'Accessor', 'TypeAlias'],
  // Types public signatures mention that the package does not export, on purpose: an ErrorClass is
  // any error constructor; ConnectString is parseConnectString()'s result, described there; MultiOp
  // is an encoded op, made only by Transaction; ServerView is what ZooKeeperServer shows its own
  // inspectors (four-letter words, the AdminServer).
  intentionallyNotExported: ['ErrorClass', 'ConnectString', 'MultiOp', 'ServerView'],
  // The emitters' inherited EventEmitter members keep Node's comments, which link to Node's own docs.
  externalSymbolLinkMappings: {
    '@types/node': { 'EventEmitter.defaultMaxListeners': 'https://nodejs.org/api/events.html#eventsdefaultmaxlisteners' },
  },
  // Fields of object types written inline in a signature or a union: the comment of the method or
  // type they belong to says what they hold. TypeDoc reports an entry here that no longer matches.
  intentionallyNotDocumented: [
    'zookit.ClientOptions.auth.__type.auth',
    'zookit.ClientOptions.auth.__type.scheme',
    'zookit.ClientOptions.reconnectDelay.__type.max',
    'zookit.ClientOptions.reconnectDelay.__type.min',
    'zookit.OpResult.__type.path',
    'zookit.OpResult.__type.stat',
    'zookit.OpResult.__type.type',
    'zookit.ReadResult.__type.children',
    'zookit.ReadResult.__type.data',
    'zookit.ReadResult.__type.stat',
    'zookit.ReadResult.__type.type',
    'zookit.TransactionError.__type.failedOp',
    'zookit.TransactionError.__type.results',
    'zookit.ZooKeeper.addWatch.__type.remove',
    'zookit.ZooKeeper.create.__type.path',
    'zookit.ZooKeeper.create.__type.stat',
    'zookit.ZooKeeper.createAll.__type.created',
    'zookit.ZooKeeper.createAll.__type.path',
    'zookit.ZooKeeper.getACL.__type.acl',
    'zookit.ZooKeeper.getACL.__type.stat',
    'zookit.ZooKeeper.getChildrenWithStat.__type.children',
    'zookit.ZooKeeper.getChildrenWithStat.__type.stat',
    'zookit.ZooKeeper.getConfig.__type.data',
    'zookit.ZooKeeper.getConfig.__type.stat',
    'zookit.ZooKeeper.getData.__type.data',
    'zookit.ZooKeeper.getData.__type.stat',
    'zookit/recipes.LeaderLatch.participants.__type.id',
    'zookit/recipes.LeaderLatch.participants.__type.isLeader',
    'zookit/recipes.LeaderLatch.participants.__type.node',
    'zookit/recipes.Mutex.hold.__type.mutex',
    'zookit/recipes.SharedCount.getVersionedValue.__type.value',
    'zookit/recipes.SharedCount.getVersionedValue.__type.version',
  ],
}
