// Java's Date.toString() ("Wed Dec 02 03:41:05 UTC 2026"), as zkCli prints ctime and mtime and a
// server's `dump` its expiry times: English day and month names, the time in the default zone, and
// the zone's short name as Java spells it.

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const two = (n: number) => String(n).padStart(2, '0')

/**
 * English locales whose zone abbreviations agree with Java's: en-US has America's (PST, EST), en-GB
 * Europe's (CET, BST, EET), and the others their own (AEDT, IST, NZDT, SAST).
 */
const LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ', 'en-ZA']

/** Java's names for zones without daylight saving that no English locale of Intl abbreviates. */
const FIXED_NAMES: Record<string, string> = {
  'Asia/Tokyo': 'JST',
  'Asia/Seoul': 'KST',
  'Asia/Shanghai': 'CST',
  'Asia/Taipei': 'CST',
  'Asia/Hong_Kong': 'HKT',
  'Asia/Singapore': 'SGT',
  'Asia/Jakarta': 'WIB',
  'Asia/Karachi': 'PKT',
  'Asia/Kathmandu': 'NPT',
  'Europe/Moscow': 'MSK',
  'Europe/Istanbul': 'TRT',
  'America/Sao_Paulo': 'BRT',
  'America/Argentina/Buenos_Aires': 'ART',
}

/** The zone's short name at `date` ("UTC", "PST", "CEST"), else Java's "GMT+05:30" form. */
function zoneName(date: Date, timeZone: string): string {
  const fixed = FIXED_NAMES[timeZone]
  if (fixed) return fixed
  for (const locale of LOCALES) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value
    // Intl writes "GMT+1" where a locale has no abbreviation; plain "GMT" and "UTC" are names.
    if (name && !/^(GMT|UTC)[+-]/.test(name)) return name
  }
  const offset = offsetMinutes(date, timeZone)
  const abs = Math.abs(offset)
  return `GMT${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
}

/** The wall-clock fields of `date` in `timeZone`. */
function fields(date: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  }).formatToParts(date)
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return {
    year: Number(get('year')),
    month: Number(get('month')) - 1,
    day: Number(get('day')),
    hour: Number(get('hour')) % 24,
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: WEEKDAYS.indexOf(get('weekday')),
  }
}

/** Minutes `timeZone` is ahead of UTC at `date`. */
function offsetMinutes(date: Date, timeZone: string): number {
  const f = fields(date, timeZone)
  const wall = Date.UTC(f.year, f.month, f.day, f.hour, f.minute, f.second)
  return Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000)
}

/**
 * `ms` as Java's Date.toString() writes it, in `timeZone` (an IANA name; by default this process's
 * zone, as the JVM takes its default zone from the system).
 */
export function javaDate(ms: number, timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  const date = new Date(ms)
  const f = fields(date, timeZone)
  return `${WEEKDAYS[f.weekday]} ${MONTHS[f.month]} ${two(f.day)} ${two(f.hour)}:${two(f.minute)}:${two(f.second)} ${zoneName(date, timeZone)} ${f.year}`
}
