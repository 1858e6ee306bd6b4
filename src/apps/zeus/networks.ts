/**
 * Who may use zeus: an allow-list of networks (CIDR blocks). Zeus is an authenticated door to
 * Bungie (it adds the API key), so anything outside the list is refused: no open proxy.
 */
import { BlockList, isIP } from "node:net"

export interface NetworkRule {
  address: string
  prefix: number
  family: "ipv4" | "ipv6"
}

/** Parses `127.0.0.0/8, ::1/128, 10.1.2.3` (a bare address is a /32 or /128). Throws naming the bad item. */
export function parseNetworks(text: string): NetworkRule[] {
  const rules: NetworkRule[] = []
  for (const raw of text.split(",")) {
    const item = raw.trim()
    if (item.length === 0) continue
    const [address = "", prefixText] = item.split("/")
    const version = isIP(address)
    if (version === 0) throw new Error(`not an IP address: ${item}`)
    const max = version === 4 ? 32 : 128
    const prefix = prefixText === undefined ? max : Number(prefixText)
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
      throw new Error(`bad prefix length in ${item} (expected 0..${max})`)
    }
    rules.push({ address, prefix, family: version === 4 ? "ipv4" : "ipv6" })
  }
  if (rules.length === 0) throw new Error("no network given")
  return rules
}

/** An IPv4 address seen through an IPv6 socket (`::ffff:10.0.0.1`) is that IPv4 address. */
export function normalizeAddress(address: string): string {
  const lower = address.toLowerCase()
  return lower.startsWith("::ffff:") && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower
}

/** A predicate: is this remote address inside one of the rules? Unknown or malformed → false. */
export function createNetworkFilter(rules: readonly NetworkRule[]): (address: string | null | undefined) => boolean {
  const list = new BlockList()
  for (const rule of rules) list.addSubnet(rule.address, rule.prefix, rule.family)
  return (address) => {
    if (!address) return false
    const normalized = normalizeAddress(address)
    const version = isIP(normalized)
    if (version === 0) return false
    return list.check(normalized, version === 4 ? "ipv4" : "ipv6")
  }
}
