/**
 * A verdict as an operator reads it (`bun run tool cheat-check`): probabilities, the bitmask as a
 * decimal string (64-bit, never a JS number), the bits by name, and what the flag store would do
 * with it (thresholds in reporting.ts; the blacklist answer ignores whitelists, which only the
 * store reads).
 */
import { nameBits } from "./bits.ts"
import { BLACKLIST_THRESHOLD, shouldReportInstance, shouldReportPlayer } from "./reporting.ts"
import type { CheatVerdict } from "./types.ts"

export interface VerdictJson {
  instanceId: string
  version: string
  skipped: CheatVerdict["skipped"]
  instance: { probability: number; bitmask: string; bits: string[]; flagged: boolean; blacklistAtThreshold: boolean }
  explanations: string[]
  players: { membershipId: string; probability: number; bitmask: string; bits: string[]; flagged: boolean; explanations: string[] }[]
}

export function verdictToJson(verdict: CheatVerdict): VerdictJson {
  const flagged = verdict.skipped === null && shouldReportInstance(verdict.instanceProbability)
  return {
    instanceId: verdict.instanceId.toString(),
    version: verdict.version,
    skipped: verdict.skipped,
    instance: {
      probability: verdict.instanceProbability,
      bitmask: verdict.instanceBits.toString(),
      bits: nameBits(verdict.instanceBits),
      flagged,
      blacklistAtThreshold: flagged && verdict.instanceProbability >= BLACKLIST_THRESHOLD,
    },
    explanations: verdict.explanations,
    players: verdict.players.map((p) => ({
      membershipId: p.membershipId.toString(),
      probability: p.probability,
      bitmask: p.bits.toString(),
      bits: nameBits(p.bits),
      flagged: verdict.skipped === null && shouldReportPlayer(p.probability),
      explanations: p.explanations,
    })),
  }
}
