// Which raids exist at a date, and each raid's race windows, from the definitions the database
// is seeded with (activity_definition release_date / contest_end / week_one_end and
// activity_version.is_world_first). The planner reads it so instances dated inside a window are
// mostly that raid's world-first version, and the public API's world-first and contest
// leaderboards have rows.
import type { FixtureData, PantheonRow, RaidRow } from "./fixtures.ts"

const BEYOND_LIGHT_MS = Date.parse("2020-11-10T17:00:00Z")
const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
/** No raid clear can end sooner than this after the raid's release (clears start at release). */
export const FIRST_CLEAR_AFTER_MS = 2 * HOUR_MS

export interface RaceWindow {
  activityId: number
  name: string
  releaseMs: number
  /** End of the contest / day-one window (contest_end, else release + 1 day). */
  contestEndMs: number
  /** End of week one (week_one_end, else release + 7 days). */
  weekOneEndMs: number
  /** The versions the world-first leaderboard ranks. */
  worldFirstHashes: number[]
}

export interface RaidActivity {
  activityId: number
  name: string
  releaseMs: number
  sunset: boolean
  rows: RaidRow[]
  standardHash: number
  window: RaceWindow
}

export class RaidCalendar {
  readonly raids: RaidActivity[]
  private readonly pantheon: PantheonRow[]

  constructor(fixtures: FixtureData) {
    const byActivity = new Map<number, RaidRow[]>()
    for (const row of fixtures.raidRows) {
      const list = byActivity.get(row.activityId) ?? []
      list.push(row)
      byActivity.set(row.activityId, list)
    }
    this.raids = [...byActivity.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([activityId, rows]) => {
        const first = rows[0]!
        const standard = rows.find((r) => r.version === "Standard") ?? first
        const worldFirst = rows.filter((r) => r.isWorldFirst).map((r) => r.hash)
        return {
          activityId,
          name: first.raid,
          releaseMs: first.releaseMs,
          sunset: first.sunset,
          rows,
          standardHash: standard.hash,
          window: {
            activityId,
            name: first.raid,
            releaseMs: first.releaseMs,
            contestEndMs: first.contestEndMs ?? first.releaseMs + DAY_MS,
            weekOneEndMs: first.weekOneEndMs ?? first.releaseMs + 7 * DAY_MS,
            worldFirstHashes: worldFirst.length > 0 ? worldFirst : [standard.hash],
          },
        }
      })
    this.pantheon = fixtures.pantheonRows
  }

  /** Raids that were playable when an activity ended at `endedAt`: released, and not yet sunset. */
  playable(endedAt: number): RaidActivity[] {
    const rows = this.raids.filter((r) => r.releaseMs + FIRST_CLEAR_AFTER_MS <= endedAt && !(r.sunset && endedAt >= BEYOND_LIGHT_MS))
    return rows.length > 0 ? rows : this.raids
  }

  /** Non-sunset raids playable at `endedAt` (the set sum-of-best is computed over); all playable ones before any existed. */
  current(endedAt: number): RaidActivity[] {
    const playable = this.playable(endedAt)
    const current = playable.filter((r) => !r.sunset)
    return current.length > 0 ? current : playable
  }

  /** The raid whose race window (release → week one end) holds `endedAt`, if any. */
  inRace(endedAt: number): RaidActivity | null {
    for (const r of this.raids) {
      if (endedAt >= r.releaseMs + FIRST_CLEAR_AFTER_MS && endedAt < r.window.weekOneEndMs) return r
    }
    return null
  }

  /** Pantheon hashes live at `endedAt`: the newest Pantheon released by then (its versions). */
  pantheonHashes(endedAt: number): number[] {
    const released = this.pantheon.filter((p) => p.releaseMs <= endedAt)
    const pool = released.length > 0 ? released : this.pantheon
    const newest = Math.max(...pool.map((p) => p.activityId))
    return pool.filter((p) => p.activityId === newest).map((p) => p.hash)
  }

  windows(): RaceWindow[] {
    return this.raids.map((r) => r.window)
  }
}
