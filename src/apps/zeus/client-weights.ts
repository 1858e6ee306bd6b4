/**
 * Caller tags and their weights. A caller names itself in `x-raidhub-client`
 * (`hermes/player_crawl`); ZEUS_CLIENT_WEIGHTS gives weights by tag, and a tag's weight also
 * applies to its sub-tags (`hermes=2` covers `hermes/player_crawl`), the longest match winning.
 */
import { ZEUS_CLIENT_TAG_PATTERN } from "../../lib/bungie/zeus-protocol.ts"

export const UNTAGGED_CLIENT = "untagged"
export const INVALID_CLIENT = "invalid"
const MAX_WEIGHT = 1000

/** The flow a request belongs to: its tag, or a fixed name for a missing or malformed one. */
export function readClientTag(header: string | null): string {
  if (header === null || header.length === 0) return UNTAGGED_CLIENT
  return ZEUS_CLIENT_TAG_PATTERN.test(header) ? header : INVALID_CLIENT
}

/** Parses `atlas=4, hermes=1.5`. Throws naming the bad pair. */
export function parseClientWeights(text: string | null): Map<string, number> {
  const weights = new Map<string, number>()
  if (text === null) return weights
  for (const raw of text.split(",")) {
    const pair = raw.trim()
    if (pair.length === 0) continue
    const eq = pair.indexOf("=")
    const tag = pair.slice(0, eq).trim()
    const weight = Number(pair.slice(eq + 1).trim())
    if (eq <= 0 || !ZEUS_CLIENT_TAG_PATTERN.test(tag)) throw new Error(`bad caller tag in ${JSON.stringify(pair)}`)
    if (!(weight > 0 && weight <= MAX_WEIGHT))
      throw new Error(`weight of ${tag} must be in (0, ${MAX_WEIGHT}], got ${pair.slice(eq + 1).trim()}`)
    if (weights.has(tag)) throw new Error(`caller tag ${tag} is listed twice`)
    weights.set(tag, weight)
  }
  return weights
}

/** Weight of a tag: its own, else its nearest listed parent's (`a/b/c` → `a/b` → `a`), else 1. */
export function findClientWeight(weights: ReadonlyMap<string, number>, tag: string): number {
  for (let t = tag; ; ) {
    const weight = weights.get(t)
    if (weight !== undefined) return weight
    const slash = t.lastIndexOf("/")
    if (slash <= 0) return 1
    t = t.slice(0, slash)
  }
}
