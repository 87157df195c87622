// Service discovery with Apache Curator x-discovery's layout: <base>/<service>/<instance id>, an
// ephemeral node holding the instance as JSON; list instances and follow changes to them.
import { randomUUID } from 'node:crypto'
import { CreateMode, NoNodeError, NodeExistsError, TypedEventEmitter, type ZooKeeper } from '../src/index.js'
import { reportError } from './internal/wait.js'
import { requireFunction } from './internal/arguments.js'

/** An instance as Curator's JsonInstanceSerializer writes it. */
export interface ServiceInstance<P = unknown> {
  /** The service's name: instances live under `<basePath>/<name>/`. */
  name: string
  /** This instance's id, its node's name (a UUID unless given). */
  id: string
  /** Host name or address clients should use. */
  address?: string
  /** Plain port. */
  port?: number
  /** TLS port. */
  sslPort?: number
  /** Anything else to tell clients, stored as JSON. */
  payload?: P
  /** When it registered, ms since the epoch. */
  registrationTimeUTC: number
  /** Curator's kind of registration; zookit registers DYNAMIC (ephemeral) instances. */
  serviceType: 'DYNAMIC' | 'STATIC' | 'PERMANENT'
  /** Curator's UriSpec, passed through as found. */
  uriSpec?: unknown
}

/** The events of a ServiceWatch. */
export interface ServiceWatchEvents<P = unknown> {
  /** The service's instances after a membership change. */
  change: [instances: ServiceInstance<P>[]]
  /** Reading the instances failed. */
  error: [err: unknown]
}

/** What ServiceDiscovery.watch() returns: 'change' events until close() (or the end of a `using` scope). */
export interface ServiceWatch<P = unknown> extends TypedEventEmitter<ServiceWatchEvents<P>>, Disposable {
  /** Stop following; no more 'change' events. */
  close(): void
}

/**
 * Register, list and watch instances of services under `basePath`. close() (or `await using`)
 * unregisters the instances registered through it and closes its watches, as Curator's does.
 */
export class ServiceDiscovery<P = unknown> {
  /** Instances registered through this object, by node path. */
  private readonly registered = new Map<string, { name: string; id: string }>()
  private readonly watches = new Set<ServiceWatch<P>>()

  /** @param basePath the directory holding one directory per service */
  constructor(
    private readonly zk: ZooKeeper,
    readonly basePath = '/services',
  ) {}

  /** Register an instance (ephemeral: it goes with the session). Returns it with its id. */
  async register(
    instance: Omit<ServiceInstance<P>, 'id' | 'registrationTimeUTC' | 'serviceType'> & { id?: string },
  ): Promise<ServiceInstance<P>> {
    const full: ServiceInstance<P> = {
      ...instance,
      id: instance.id ?? randomUUID(),
      registrationTimeUTC: Date.now(),
      serviceType: 'DYNAMIC',
    }
    const dir = `${this.basePath}/${full.name}`
    await this.zk.createAll(dir)
    try {
      await this.zk.create(`${dir}/${full.id}`, JSON.stringify(full), { mode: CreateMode.EPHEMERAL })
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err
      await this.zk.setData(`${dir}/${full.id}`, JSON.stringify(full))
    }
    this.registered.set(`${dir}/${full.id}`, { name: full.name, id: full.id })
    return full
  }

  /** Remove an instance's node; one already gone is not an error. */
  async unregister(instance: { name: string; id: string }): Promise<void> {
    const path = `${this.basePath}/${instance.name}/${instance.id}`
    await this.zk.delete(path).catch((err: unknown) => {
      if (!(err instanceof NoNodeError)) throw err
    })
    this.registered.delete(path)
  }

  /** Names of the services with a directory. */
  async services(): Promise<string[]> {
    return this.zk.getChildren(this.basePath).catch((err: unknown) => (err instanceof NoNodeError ? [] : Promise.reject(err)))
  }

  /** Current instances of a service. */
  async instances(name: string, watch?: () => void): Promise<ServiceInstance<P>[]> {
    const dir = `${this.basePath}/${name}`
    if (watch !== undefined) requireFunction(watch, 'watch', 'ServiceDiscovery.instances', dir)
    let ids: string[]
    try {
      ids = await this.zk.getChildren(dir, watch ? { watch: () => watch() } : {})
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err
      // No such service yet: watch for its directory to appear instead.
      if (watch && (await this.zk.exists(dir, { watch: () => watch() })) !== null) watch()
      return []
    }
    const out: ServiceInstance<P>[] = []
    for (const id of ids.sort()) {
      try {
        out.push(JSON.parse((await this.zk.getData(`${dir}/${id}`)).data.toString('utf8')) as ServiceInstance<P>)
      } catch (err) {
        if (!(err instanceof NoNodeError) && !(err instanceof SyntaxError)) throw err
      }
    }
    return out
  }

  /** Follow a service's instances: emits 'change' with the list after every membership change. */
  watch(name: string): ServiceWatch<P> {
    let open = true
    const close = () => {
      open = false
      this.watches.delete(em)
    }
    const em: ServiceWatch<P> = Object.assign(new TypedEventEmitter<ServiceWatchEvents<P>>(), { close, [Symbol.dispose]: close })
    this.watches.add(em)
    const loop = () => {
      if (!open) return
      this.instances(name, loop).then(
        (list) => open && em.emit('change', list),
        (err) => reportError(em, err),
      )
    }
    loop()
    return em
  }

  /** Close every watch made here and unregister every instance registered here. */
  async close(): Promise<void> {
    for (const w of [...this.watches]) w.close()
    await Promise.all([...this.registered.values()].map((instance) => this.unregister(instance)))
  }

  /** close(), for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
