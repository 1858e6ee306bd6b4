/**
 * Byte layout of the limiter's SharedArrayBuffer. An Int32 header holds the lock and the
 * counters other threads read without the lock; Float64 cells hold the options (so every
 * attached thread uses the creator's numbers), global state and one block per address.
 */
import { OPTION_KEYS } from "./options.ts"
import { computeWindowCells, type WindowGeometry } from "./sliding-window.ts"

export const LIMITER_MAGIC = 0x52484c31 // "RHL1"

// Int32 header cells.
export const I_LOCK = 0
export const I_IN_FLIGHT = 1
export const I_MAGIC = 2
export const I_ADDRESSES = 3
export const I_ROUND_ROBIN = 4
export const I_PAUSE_REASON = 5
const HEADER_BYTES = 64
/** Float64 index of the options block (fixed, so attach can read options before the layout). */
export const CONFIG_OFFSET = HEADER_BYTES / 8

// Global Float64 cells, relative to the global block.
export const G_PAUSED_UNTIL = 0
export const G_PAUSE_STARTED_AT = 1
export const G_CONC_ESTIMATE = 2
export const G_SHORT_RTT = 3
export const G_LONG_RTT = 4
export const G_CONC_LAST_DECREASE = 5
export const G_LAST_NOW = 6
const GLOBAL_CELLS = 8

// Per-address Float64 cells, relative to the address block.
export const A_CEILING = 0
export const A_LEARNED_LIMIT = 1
export const A_LAST_DECREASE = 2
export const A_LAST_GROWTH = 3
export const A_PLATEAU_SINCE = 4
export const A_TOKENS = 5
export const A_LAST_REFILL = 6
export const A_PAUSED_UNTIL = 7
export const A_PAUSE_STARTED_AT = 8
export const A_SENT = 9
export const A_OK = 10
export const A_THROTTLED = 11
export const A_SERVER_THROTTLED = 12
export const A_TRANSIENT = 13
export const A_DISABLED = 14
export const A_DECREASES = 15
const ADDRESS_FIELDS = 16

export interface LimiterLayout {
  /** Float64 index of the options block. */
  config: number
  /** Float64 index of the global block. */
  global: number
  /** Float64 index of address i's block is address(i). */
  addressBase: number
  addressStride: number
  /** Offset of the rolling window inside an address block. */
  windowOffset: number
  byteLength: number
}

export function computeLayout(addresses: number, g: WindowGeometry): LimiterLayout {
  const config = CONFIG_OFFSET
  const global = config + OPTION_KEYS.length
  const addressBase = global + GLOBAL_CELLS
  const addressStride = ADDRESS_FIELDS + computeWindowCells(g)
  const cells = addressBase + addresses * addressStride
  return { config, global, addressBase, addressStride, windowOffset: ADDRESS_FIELDS, byteLength: cells * 8 }
}

export function computeAddressOffset(layout: LimiterLayout, index: number): number {
  return layout.addressBase + index * layout.addressStride
}
