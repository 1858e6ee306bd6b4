/**
 * PGCR → ProcessResult: the pure core of the crawler (research raidhub.md §3.1–3.4).
 * Same input, same output, on every thread; no I/O; never throws.
 *
 * Input: the bare PGCR (`Response` of Bungie's envelope) as decoded JSON in which 64-bit ids are
 * strings (or bigints). `fireteamId` is never read, so its precision does not matter.
 *
 * Order: the header is read for every report; only raid-mode reports (mode 4, or 4 in `modes`) go
 * on to the raid filter, and only hashes known to the definitions are fully validated and
 * processed. Non-raids are therefore never rejected for raid-only rules (e.g. the dungeon fixture
 * 15897664962 reports playerCount -1).
 */
import type { Definitions } from "../definitions.ts"
import { guardDuration } from "./duration.ts"
import { readEntries, readNonNegativeStat } from "./entries.ts"
import { isObject, PgcrFormatError, readObject } from "./fields.ts"
import { determineFresh } from "./fresh.ts"
import { isRaidMode, type PgcrHeader, readHeader } from "./header.ts"
import { buildPlayer, groupEntriesByPlayer } from "./players.ts"
import type { ProcessResult } from "./result.ts"
import { normalizeSkullHashes } from "./skulls.ts"
import type { ProcessedInstance } from "./types.ts"
import { validateRaidReport } from "./validate.ts"

export function processPgcr(raw: unknown, defs: Definitions): ProcessResult {
  try {
    return processOrThrow(raw, defs)
  } catch (error) {
    const instanceId = peekInstanceId(raw)
    const base = instanceId === undefined ? {} : { instanceId }
    if (error instanceof PgcrFormatError) {
      return { kind: "badFormat", code: error.code, reason: error.message, ...base }
    }
    // A bug, not bad input. Reported as a value so one odd PGCR cannot kill a fetcher thread;
    // the distinct code makes it visible (tests assert it never occurs).
    const message = error instanceof Error ? `${error.name}: ${error.message}` : "non-Error thrown"
    return { kind: "badFormat", code: "internalError", reason: `internalError: ${message}`, ...base }
  }
}

function processOrThrow(raw: unknown, defs: Definitions): ProcessResult {
  const header = readHeader(raw)
  const raidMode = isRaidMode(header)
  const known = raidMode ? defs.resolveHash(header.hash) : undefined
  if (!known) {
    return {
      kind: "nonRaid",
      instanceId: header.instanceId,
      mode: header.mode,
      hash: header.hash,
      dateCompleted: computeNonRaidDateCompleted(header),
      unknownRaidHash: raidMode,
    }
  }
  return {
    kind: "raid",
    instance: buildInstance(header),
    activityId: known.activityId,
    versionId: known.versionId,
    isRaid: known.isRaid,
    isPantheon: known.isPantheon,
  }
}

function buildInstance(header: PgcrHeader): ProcessedInstance {
  const entries = readEntries(header.entries)
  validateRaidReport(header, entries)
  const first = entries[0]!
  const { durationSeconds } = guardDuration(first.activityDurationSeconds, entries)
  const ctx = { startMs: header.startMs, durationSeconds, completionReason: first.completionReason }
  const players = groupEntriesByPlayer(entries).map((group) => buildPlayer(group, ctx))
  const completed = players.some((p) => p.finished)
  const deathless = entries.every((e) => e.deaths <= 0)
  const fresh = determineFresh({
    startMs: header.startMs,
    hash: header.hash,
    startingPhaseIndex: header.startingPhaseIndex,
    activityWasStartedFromBeginning: header.activityWasStartedFromBeginning,
    deathless,
  })
  return {
    instanceId: header.instanceId,
    hash: header.hash,
    completed,
    // Flawless needs a completed, deathless, fresh run; unknown freshness leaves it unknown.
    flawless: completed && deathless ? fresh : false,
    fresh,
    playerCount: players.length,
    dateStarted: new Date(header.startMs).toISOString(),
    dateCompleted: new Date(header.startMs + durationSeconds * 1000).toISOString(),
    durationSeconds,
    membershipType: header.membershipType,
    score: first.teamScore,
    skullHashes: normalizeSkullHashes(header.selectedSkullHashes),
    players,
  }
}

/** Non-raids only need their completion time (for lag): read just the duration and spans. */
/**
 * When the activity of a PGCR ended (epoch ms), for any report, raid or not; null when the
 * report does not say. Atlas's gap evidence dates the id past a suspected dead block with it.
 */
export function pgcrCompletedAt(raw: unknown): number | null {
  try {
    const ms = Date.parse(computeNonRaidDateCompleted(readHeader(raw)))
    return Number.isFinite(ms) ? ms : null
  } catch {
    return null
  }
}

function computeNonRaidDateCompleted(header: PgcrHeader): string {
  const spans = header.entries.map((raw, i) => {
    const values = readObject(readObject(raw, `entries[${i}]`).values, `entries[${i}].values`)
    return {
      startSeconds: readNonNegativeStat(values, "startSeconds", `entries[${i}].values`),
      timePlayedSeconds: readNonNegativeStat(values, "timePlayedSeconds", `entries[${i}].values`),
      activityDurationSeconds: readNonNegativeStat(values, "activityDurationSeconds", `entries[${i}].values`),
    }
  })
  const { durationSeconds } = guardDuration(spans[0]!.activityDurationSeconds, spans)
  return new Date(header.startMs + durationSeconds * 1000).toISOString()
}

/** The instance id for a badFormat result, when it is readable at all. */
function peekInstanceId(raw: unknown): string | undefined {
  if (!isObject(raw) || !isObject(raw.activityDetails)) return undefined
  const id = raw.activityDetails.instanceId
  if (typeof id === "string" && /^[0-9]{1,19}$/.test(id)) return id
  if (typeof id === "bigint" && id > 0n) return id.toString()
  return undefined
}
