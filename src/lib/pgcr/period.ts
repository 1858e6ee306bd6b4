/**
 * Strict RFC 3339 timestamps (what Go's `time.Parse(time.RFC3339, …)` accepted in the original):
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. `Date.parse` alone is too lenient (it takes
 * "2024-01-01" or locale formats) and silently rolls impossible dates over.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/

/** Milliseconds since the epoch, or undefined when the text is not a valid RFC 3339 timestamp. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined
  if (day < 1 || day > daysInMonth(year, month)) return undefined
  let offsetMinutes = 0
  if (m[9] !== undefined) {
    const offHours = Number(m[10])
    const offMinutes = Number(m[11])
    if (offHours > 23 || offMinutes > 59) return undefined
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offHours * 60 + offMinutes)
  }
  const fractionMs = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000)
  // setUTCFullYear: Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, fractionMs))
  date.setUTCFullYear(year, month - 1, day)
  return date.getTime() - offsetMinutes * 60_000
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
}
