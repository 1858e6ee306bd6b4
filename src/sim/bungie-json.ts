// Bungie's JSON is written by .NET: every stat `value` is a double printed with the "R"
// round-trip format (15 digits if they round-trip, else 17), scientific from 1e15 upwards
// ("-4.1464340033305185E+18"), and Newtonsoft appends ".0" to integral doubles ("1.0").
// JS would print 1, -4146434003330518500 and 0.3333333333333333, so we re-format by hand.

/** Formats a double the way Bungie's serializer does. */
export function formatBungieDouble(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : value < 0 ? "-Infinity" : "NaN"
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0"
  const abs = Math.abs(value)
  if (Number.isInteger(value) && abs < 1e15) return `${value}.0`
  let exp = value.toExponential(14)
  if (Number(exp) !== value) exp = value.toExponential(16)
  const eAt = exp.indexOf("e")
  let mantissa = exp.slice(0, eAt)
  const exponent = Number(exp.slice(eAt + 1))
  if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "")
  if (exponent >= 15 || exponent < -5) {
    const sign = exponent < 0 ? "-" : "+"
    const digits = String(Math.abs(exponent)).padStart(2, "0")
    return `${mantissa}E${sign}${digits}`
  }
  const negative = mantissa.startsWith("-")
  const bare = (negative ? mantissa.slice(1) : mantissa).replace(".", "")
  let text: string
  if (exponent >= 0) {
    const intDigits = exponent + 1
    text = bare.length <= intDigits ? `${bare.padEnd(intDigits, "0")}.0` : `${bare.slice(0, intDigits)}.${bare.slice(intDigits)}`
  } else {
    text = `0.${"0".repeat(-exponent - 1)}${bare}`
  }
  return negative ? `-${text}` : text
}

// Only `basic.value` is a double in Bungie's stat objects; every other number is an integer.
const VALUE_PATTERN = /"value":(-?[0-9.eE+-]+)(?=[,}])/g

/**
 * Serialises a PGCR-like object compactly, then rewrites stat values into Bungie literals.
 * Cheaper than a hand-written serializer: JSON.stringify is native and the regex only
 * touches `"value":` tokens.
 */
export function stringifyBungie(body: unknown): string {
  return JSON.stringify(body).replace(VALUE_PATTERN, (_m, num: string) => `"value":${formatBungieDouble(Number(num))}`)
}
