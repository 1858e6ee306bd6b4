/**
 * The shape of the per-activity heuristics (data in heuristics-table.ts). Everything the check
 * knows about a raid is data here, so a rule change is a table edit with a table test.
 */

/** (start, end), both ends exclusive as the original compared them; `end` may lie far in the future. */
export interface DateWindow {
  name: string
  start: Date
  end: Date
}

/**
 * One step of a lowman rule list. A run with fewer players than `minPlayers` is near-certainly
 * cheated; a run with exactly `minPlayers` is possible but rare (`cheatChance`, and for checkpoint
 * runs under `minTimeSeconds` also suspiciously fast). `allowedWindows`, when not empty, are the
 * only periods in which that player count was achievable (e.g. before a patch, after a new strat).
 */
export interface LowmanRule {
  minPlayers: number
  cheatChance: number
  minTimeSeconds: number
  allowedWindows: readonly DateWindow[]
}

/** Rules for one kind of run: per version id when present, else the any-version list. */
export interface LowmanRules {
  anyVersion: readonly LowmanRule[]
  byVersion: ReadonlyMap<number, readonly LowmanRule[]>
}

/**
 * The estimated world record in seconds, `days` after release: WR(days) = a − b·log10((days + c)^d).
 * Fitted by the original's authors to the historical speedrun records of each raid.
 */
export interface SpeedrunCurve {
  a: number
  b: number
  c: number
  d: number
}

/** Minimum plausible fresh durations (Pantheon: Monument of Triumph), with skull-dependent bonuses. */
export interface DurationFloor {
  secondsByVersion: ReadonlyMap<number, number>
  bonusSecondsBySkull: ReadonlyMap<number, number>
}

export interface ActivityHeuristic {
  activityId: number
  /** The activity's bit in the reason mask (always set on the activity's flags). */
  raidBit: bigint
  name: string
  /** The encounter a checkpoint run clears (for explanations). */
  checkpointName: string
  freshLowman: LowmanRules
  checkpointLowman: LowmanRules
  /** null: no curve known, so no TooFast signal from it. */
  speedrunCurve: SpeedrunCurve | null
  /** Total kills a legitimate run needs at least; 0 disables the kills signal. */
  minFreshKills: number
  minCheckpointKills: number
  freshDurationFloor: DurationFloor | null
}

/**
 * Lowman rules do not apply to runs matching an exemption: a known strat (a glitch or a cheese
 * everyone could use) made small teams possible, so player count says nothing about cheating.
 */
export interface LowmanExemption {
  name: string
  activityId: number
  /** null: every version of the activity. */
  versionId: number | null
  /** "checkpoint": only runs that were not fresh. */
  runs: "any" | "checkpoint"
  /** null: always; else the completion must fall inside. */
  window: DateWindow | null
}

export interface Heuristics {
  activities: ReadonlyMap<number, ActivityHeuristic>
  /** For an activity missing from the table: only the activity-independent signals apply. */
  fallback: ActivityHeuristic
  /** Runs overlapping one of these are not checked at all. */
  badDataWindows: readonly DateWindow[]
  /** Activities whose incomplete runs are not checked. */
  incompleteExcludedActivityIds: ReadonlySet<number>
  lowmanExemptions: readonly LowmanExemption[]
}
