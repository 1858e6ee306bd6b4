/**
 * For the lead's `bun run bench cheat`: a deterministic corpus of varied runs and a timed pass of
 * the pure check over it. The bench owns reporting; this only measures.
 */
import { checkInstance } from "./check-instance.ts"
import { ACTIVITY_HEURISTICS, DEFAULT_HEURISTICS } from "./heuristics-table.ts"
import type { Heuristics } from "./heuristics-types.ts"
import { CHEAT_CHECK_VERSION, shouldReportInstance } from "./reporting.ts"
import { buildSyntheticRun } from "./synthetic-run.ts"
import type { CheatInstance } from "./types.ts"

const DAY_MS = 86_400_000
// A fixed reference release (activity release dates only shift daysSinceRelease here).
const RELEASE = new Date("2022-01-01T00:00:00Z")

/** `count` runs over every activity: 1-6 players, fresh or checkpoint, some incomplete, some fast. */
export function createBenchCorpus(count: number, seed = 1): CheatInstance[] {
  let state = seed >>> 0 || 1
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return (state >>> 8) % n
  }
  const corpus: CheatInstance[] = []
  for (let i = 0; i < count; i++) {
    const heuristic = ACTIVITY_HEURISTICS[next(ACTIVITY_HEURISTICS.length)]!
    const versions = [...heuristic.freshLowman.byVersion.keys()]
    const players = 1 + next(6)
    const duration = 120 + next(4000)
    corpus.push(
      buildSyntheticRun({
        instanceId: 16_000_000_000n + BigInt(i),
        activityId: heuristic.activityId,
        versionId: versions.length > 0 ? versions[next(versions.length)]! : 1,
        activityReleaseDate: RELEASE,
        dateCompleted: new Date(RELEASE.getTime() + (30 + next(900)) * DAY_MS),
        durationSeconds: duration,
        players,
        totalKills: next(2000),
        completed: next(10) > 0,
        fresh: next(3) > 0,
        flawless: next(8) === 0,
        weaponsPerPlayer: 1 + next(8),
      }),
    )
  }
  return corpus
}

export interface PureCheckMeasurement {
  instances: number
  seconds: number
  instancesPerSecond: number
  /** Instances above the reporting threshold (also keeps the work observable). */
  flagged: number
}

/** Checks every run of the corpus once; `now` is injectable (performance.now by default). */
export function measurePureCheck(
  corpus: readonly CheatInstance[],
  heuristics: Heuristics = DEFAULT_HEURISTICS,
  now: () => number = () => performance.now(),
): PureCheckMeasurement {
  let flagged = 0
  const started = now()
  for (const instance of corpus) {
    if (shouldReportInstance(checkInstance(instance, heuristics, CHEAT_CHECK_VERSION).instanceProbability)) flagged++
  }
  const seconds = (now() - started) / 1000
  return { instances: corpus.length, seconds, instancesPerSecond: seconds > 0 ? corpus.length / seconds : 0, flagged }
}
