/** Math.min / Math.max for bigint ids (Math's versions take numbers only). */
export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}

export function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b
}
