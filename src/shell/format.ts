// How zkCli.sh (ZooKeeper 3.8's Java shell) prints things: the Stat block, WatchedEvent lines, ACL
// entries and Java's List.toString(). Pure functions, no I/O.
import { EventType, KeeperState, Perms, type ACL, type Stat } from '../index.js'
import { javaDate } from '../java-date.js'

/** A 64-bit value as Java's Long.toHexString: two's complement, no leading zeros. */
export function javaHex(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16)
}

/** The lines zkCli's StatPrinter writes for `stat` (ls -s, get -s, stat, set -s, getAcl -s, config -s). */
export function statLines(stat: Stat, timeZone?: string): string[] {
  return [
    `cZxid = 0x${javaHex(stat.czxid)}`,
    `ctime = ${javaDate(stat.ctime, timeZone)}`,
    `mZxid = 0x${javaHex(stat.mzxid)}`,
    `mtime = ${javaDate(stat.mtime, timeZone)}`,
    `pZxid = 0x${javaHex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${javaHex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ]
}

const nameOf = (table: Record<string, number>, value: number): string => Object.keys(table).find((k) => table[k] === value) ?? String(value)

/** Java's WatchedEvent.toString(): "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x". */
export function eventLine(event: { keeperState: number; eventType: number; path: string | null }): string {
  const path = event.path === null || (event.eventType === EventType.None && event.path === '') ? 'null' : event.path
  return `WatchedEvent state:${nameOf(KeeperState, event.keeperState)} type:${nameOf(EventType, event.eventType)} path:${path}`
}

/** ZKUtil.getPermString: the rights in the order c, d, r, w, a. */
export function permString(perms: number): string {
  const order: [number, string][] = [
    [Perms.CREATE, 'c'],
    [Perms.DELETE, 'd'],
    [Perms.READ, 'r'],
    [Perms.WRITE, 'w'],
    [Perms.ADMIN, 'a'],
  ]
  return order.map(([bit, letter]) => (perms & bit ? letter : '')).join('')
}

/** A string as jute's ToStringOutputArchive writes it: a leading quote, and , % } NUL CR LF escaped. */
function juteString(s: string): string {
  const escapes: Record<string, string> = { '\0': '%00', '\n': '%0A', '\r': '%0D', ',': '%2C', '}': '%7D', '%': '%25' }
  return `'${[...s].map((c) => escapes[c] ?? c).join('')}`
}

/**
 * One ACL entry as getAcl prints it: the Id record's toString() (which ends in a newline) then
 * ": " and the rights, so two lines: "'world,'anyone" and ": cdrwa".
 */
export function aclLines(entry: ACL): string[] {
  return [`${juteString(entry.id.scheme)},${juteString(entry.id.id)}`, `: ${permString(entry.perms)}`]
}

/** Java's List.toString(): "[a, b]". */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`
}
