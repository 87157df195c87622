// An EventEmitter whose event names and listener arguments are checked by the compiler: a misspelt
// event or a listener of the wrong shape is a type error naming the events that exist. At run time
// it is node:events' EventEmitter and nothing more: only the types differ.
import { EventEmitter } from 'node:events'

/** Event name → the arguments its listeners get, e.g. `{ state: [next: SessionState, prev: SessionState] }`. */
export type EventMap<Events> = { [E in keyof Events]: unknown[] }

/** A listener of event `E` of `Events`. */
export type TypedListener<Events extends EventMap<Events>, E extends keyof Events> = (...args: Events[E]) => void

/** The methods that name an event: TypedEventEmitter declares them again, with checked types. */
type EventMethods =
  | 'on'
  | 'addListener'
  | 'prependListener'
  | 'once'
  | 'prependOnceListener'
  | 'off'
  | 'removeListener'
  | 'removeAllListeners'
  | 'emit'
  | 'listenerCount'
  | 'listeners'
  | 'rawListeners'

// EventEmitter's type without those methods, so that they can be declared with narrower types (an
// override may not narrow what it accepts); the value is EventEmitter itself, methods and all.
const EventEmitterBase = EventEmitter as unknown as new () => Omit<EventEmitter, EventMethods>

/**
 * Base class of zookit's emitters (`class LeaderLatch extends TypedEventEmitter<LeaderLatchEvents>`):
 * node:events' EventEmitter (instanceof, events.once and events.on work) whose methods accept only
 * the events of `Events`, each with its own listener arguments.
 */
export class TypedEventEmitter<Events extends EventMap<Events>> extends EventEmitterBase {}

// The event methods, typed per emitter; EventEmitter.prototype implements them.
export interface TypedEventEmitter<Events extends EventMap<Events>> {
  /** Call `listener` on every `event`. */
  on<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** Same as on(). */
  addListener<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** As on(), but called before the listeners already there. */
  prependListener<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** Call `listener` on the next `event` only. */
  once<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** As once(), but called before the listeners already there. */
  prependOnceListener<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** Stop calling `listener` on `event`. */
  off<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** Same as off(). */
  removeListener<E extends keyof Events>(event: E, listener: TypedListener<Events, E>): this
  /** Remove every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof Events): this
  /** Call the listeners of `event` with `args`; whether there were any. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean
  /** How many listeners `event` has (of `listener` only, when given). */
  listenerCount<E extends keyof Events>(event: E, listener?: TypedListener<Events, E>): number
  /** The listeners of `event`. */
  listeners<E extends keyof Events>(event: E): TypedListener<Events, E>[]
  /** The listeners of `event`, with the wrappers once() puts around its listeners. */
  rawListeners<E extends keyof Events>(event: E): TypedListener<Events, E>[]
}
