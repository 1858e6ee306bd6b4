/**
 * nemesis: account-level cheat detection (docs/cheat-detection.md, research §1.8 and §3.9).
 *
 *   1. levels: every player with ≥ 3 flagged runs in the last 60 days (not whitelisted, below 4):
 *      grade the flags, read the profile through the shared rate-limited client, compute the
 *      account cheater chance, raise core.player.cheat_level (never lowered, whitelist respected);
 *   2. recheck: the recent runs of level ≥ 3 players that have no flag at the current check
 *      version go to pgcr_cheat_check (recheck-sink.ts: RabbitMQ with publisher confirms); the
 *      original ran this inline for hours, here hermes's workers do it in parallel;
 *   3. cascade: level-4 players seen in the last 14 days get their runs blacklisted by §3.9.
 *
 * The decisions are the pure functions of lib/cheat/nemesis. A dry run reads and decides the
 * same way (a would-be raise counts for steps 2 and 3) but writes and publishes nothing.
 */
import type { RateLimitedBungie } from "../../lib/bungie/rate-limited.ts"
import { type AccountSignals, computeAccountCheaterChance } from "../../lib/cheat/nemesis/account-chance.ts"
import { describeCascadeReason, isCascadeSource, shouldCascadeBlacklist } from "../../lib/cheat/nemesis/cascade.ts"
import { decideCheatLevel } from "../../lib/cheat/nemesis/cheat-level.ts"
import { countRecentFlags, FLAG_WINDOW_DAYS, type FlagCounts, needsLevelReview } from "../../lib/cheat/nemesis/flag-class.ts"
import { CHEAT_CHECK_VERSION } from "../../lib/cheat/reporting.ts"
import type { Progress } from "../../lib/cli/progress.ts"
import type { AnySql } from "../../lib/database/sql-types.ts"
import { mapBounded } from "../../lib/jobs/fetch-and-process.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { fetchProfileSignals, type ProfileSignals, UNKNOWN_PROFILE } from "./profile-signals.ts"
import {
  type CascadeSourceRow,
  insertCascadeBlacklist,
  type PlayerRow,
  raiseCheatLevel,
  selectCascadeRuns,
  selectLevelFourPlayers,
  selectPlayerFlags,
  selectPlayers,
  selectRecheckInstances,
  selectReviewCandidates,
} from "./queries.ts"

const DAY_MS = 86_400_000
/** Players loaded and decided per round (flags and rows in two queries). */
const PLAYER_BATCH = 200
export interface NemesisOptions {
  sql: AnySql
  /** Profiles come through it; null = profiles are not read (their signals stay unknown). */
  bungie: RateLimitedBungie | null
  /** Puts instance ids on pgcr_cheat_check (recheck-sink.ts); needed unless dryRun. Returns how many it enqueued. */
  enqueueRecheck: ((instanceIds: readonly string[]) => Promise<number>) | null
  dryRun: boolean
  /** Profiles read at once. */
  concurrency: number
  version?: string
  now?: () => Date
  progress?: (unit: string, total: number) => Progress
  log?: Logger
}

export interface LevelChange {
  membershipId: string
  from: number
  to: number
  accountChance: number
  counts: FlagCounts
}

export interface NemesisReport {
  dryRun: boolean
  reviewed: number
  /** Profiles that could not be read (their signals counted as unknown). */
  profileFailures: number
  raised: LevelChange[]
  recheck: { instances: number; enqueued: number }
  cascade: { sources: number; blacklisted: string[] }
}

export async function runNemesis(o: NemesisOptions): Promise<NemesisReport> {
  if (!o.dryRun && o.enqueueRecheck === null) throw new Error("nemesis: a recheck sink is required unless dryRun")
  const now = o.now?.() ?? new Date()
  const since = new Date(now.getTime() - FLAG_WINDOW_DAYS * DAY_MS)
  const version = o.version ?? CHEAT_CHECK_VERSION

  // 1. Levels.
  const candidates = await selectReviewCandidates(o.sql, since)
  const progress = o.progress?.("players", candidates.length)
  const raised: LevelChange[] = []
  const raisedRows = new Map<string, PlayerRow>()
  let profileFailures = 0
  for (let start = 0; start < candidates.length; start += PLAYER_BATCH) {
    const batch = candidates.slice(start, start + PLAYER_BATCH)
    const [flags, players] = await Promise.all([selectPlayerFlags(o.sql, batch, since), selectPlayers(o.sql, batch, since)])
    await mapBounded(players, Math.max(1, o.concurrency), async (player) => {
      try {
        const counts = countRecentFlags(flags.get(player.membershipId) ?? [], now)
        if (!needsLevelReview(counts) || player.whitelisted) return
        let profile: ProfileSignals = UNKNOWN_PROFILE
        if (o.bungie) {
          const fetched = await fetchProfileSignals(o.bungie, player.membershipType, BigInt(player.membershipId))
          if (fetched.failure !== null) {
            profileFailures++
            o.log?.debug("nemesis.profile_unavailable", { membershipId: player.membershipId, reason: fetched.failure })
          }
          profile = fetched.signals
        }
        const { chance } = computeAccountCheaterChance(accountSignals(player, profile, now))
        const decision = decideCheatLevel({
          currentLevel: player.cheatLevel,
          whitelisted: player.whitelisted,
          counts,
          accountChance: chance,
        })
        if (!decision.raised) return
        const written = o.dryRun || (await raiseCheatLevel(o.sql, player.membershipId, decision.level))
        if (!written) return
        raised.push({ membershipId: player.membershipId, from: player.cheatLevel, to: decision.level, accountChance: chance, counts })
        raisedRows.set(player.membershipId, { ...player, cheatLevel: decision.level })
        o.log?.info("nemesis.level_raised", { membershipId: player.membershipId, from: player.cheatLevel, to: decision.level, chance })
      } finally {
        progress?.advance()
      }
    })
  }
  progress?.finish()
  raised.sort((a, b) => (a.membershipId < b.membershipId ? -1 : 1))

  // 2. Recheck. A dry run also counts the runs of players it would have raised to 3 or 4.
  const wouldBeThree = o.dryRun ? raised.filter((r) => r.to >= 3 && r.from < 3).map((r) => r.membershipId) : []
  const recheckIds = await selectRecheckInstances(o.sql, since, version, wouldBeThree)
  const enqueued = !o.dryRun && recheckIds.length > 0 ? await o.enqueueRecheck!(recheckIds) : 0

  // 3. Cascade.
  const levelFour = new Map<string, CascadeSourceRow>()
  for (const row of await selectLevelFourPlayers(o.sql)) levelFour.set(row.membershipId, row)
  if (o.dryRun) {
    for (const [id, row] of raisedRows) {
      if (row.cheatLevel >= 4) levelFour.set(id, { membershipId: id, cheatLevel: 4, whitelisted: row.whitelisted, lastSeen: row.lastSeen })
    }
  }
  const sources = [...levelFour.values()].filter((s) => isCascadeSource(s, now))
  const blacklisted: string[] = []
  for (const source of sources) {
    const runs = (await selectCascadeRuns(o.sql, source.membershipId)).filter((run) => shouldCascadeBlacklist(run, source.lastSeen))
    const reason = describeCascadeReason(BigInt(source.membershipId))
    const ids = o.dryRun ? runs.map((r) => r.instanceId) : await insertCascadeBlacklist(o.sql, source.membershipId, reason, runs)
    for (const id of ids) if (!blacklisted.includes(id)) blacklisted.push(id)
    if (ids.length > 0) o.log?.info("nemesis.cascade", { membershipId: source.membershipId, blacklisted: ids.length })
  }
  blacklisted.sort()

  return {
    dryRun: o.dryRun,
    reviewed: candidates.length,
    profileFailures,
    raised,
    recheck: { instances: recheckIds.length, enqueued },
    cascade: { sources: sources.length, blacklisted },
  }
}

export function accountSignals(player: PlayerRow, profile: ProfileSignals, now: Date): AccountSignals {
  const ratio = (n: number) => (player.recentClears > 0 ? n / player.recentClears : 0)
  return {
    accountAgeDays: Math.max(0, (now.getTime() - player.firstSeen.getTime()) / DAY_MS),
    clears: player.clears,
    lowmanRatio: ratio(player.recentLowman),
    flawlessRatio: ratio(player.recentFlawless),
    soloRatio: ratio(player.recentSolo),
    membershipType: player.membershipType,
    applicableMembershipTypes: profile.applicableMembershipTypes,
    characterCount: profile.characterCount,
    versionsOwned: profile.versionsOwned,
    seasonsOwned: profile.seasonsOwned,
    lifetimeHighestGuardianRank: profile.lifetimeHighestGuardianRank,
    currentGuardianRank: profile.currentGuardianRank,
    isPrivate: player.isPrivate,
  }
}
