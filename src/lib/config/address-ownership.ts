/**
 * Every source address has exactly one owner. Atlas keeps its own addresses in-process (its
 * limiter is tuned to the crawl); zeus owns the others. Two limiters sending from one address
 * would each believe it has Bungie's whole per-address budget, and both would be throttled.
 * The config refuses to start when atlas and zeus are given the same address: load-config.ts calls
 * this check whenever it loads either section, with both keys as the environment and flags give them.
 *
 * Only explicit addresses can be compared: two processes on one box that both use the default
 * route share an address too, which no config can see (docs/zeus.md: deployment).
 */
import { isIP } from "node:net"
import type { ConfigIssue } from "./load-config.ts"

/** `::ffff:10.0.0.1` (an IPv4 address seen through IPv6) is `10.0.0.1`. */
function normalizeAddress(address: string): string {
  const lower = address.toLowerCase()
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower
}

/** One canonical spelling per address (`2001:0db8::0001` = `2001:db8::1`, `::ffff:10.0.0.1` = `10.0.0.1`). */
export function canonicalAddress(address: string): string {
  const trimmed = normalizeAddress(address.trim())
  if (isIP(trimmed) !== 6) return trimmed
  return new URL(`http://[${trimmed}]/`).hostname.slice(1, -1)
}

/** The addresses both lists contain (canonical spelling, in atlas's order). */
export function findSharedAddresses(atlas: readonly string[], zeus: readonly string[]): string[] {
  const zeusSet = new Set(zeus.map(canonicalAddress))
  return atlas.map(canonicalAddress).filter((a, i, all) => zeusSet.has(a) && all.indexOf(a) === i)
}

/** Config issues (empty when fine) when atlas and zeus would send from the same address. */
export function checkAddressOwnership(
  atlas: readonly string[],
  zeus: readonly string[],
  keys: { atlas: string; zeus: string } = { atlas: "ATLAS_SOURCE_ADDRESSES", zeus: "ZEUS_SOURCE_ADDRESSES" },
): ConfigIssue[] {
  const shared = findSharedAddresses(atlas, zeus)
  if (shared.length === 0) return []
  return [
    {
      key: `${keys.atlas} / ${keys.zeus}`,
      value: JSON.stringify(shared.join(",")),
      reason: `each source address has one owner: ${shared.join(", ")} is given to both atlas and zeus (remove it from one, or run atlas --via-zeus)`,
    },
  ]
}
