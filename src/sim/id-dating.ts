// Calendar age of historical ids from the observed id/date table (research/bungie.md §8),
// so PGCRs below the start id carry an era-consistent `period` (pre/post Beyond Light, EoF...).

const ID_DATES: ReadonlyArray<readonly [number, number]> = [
  [937_516_201, Date.parse("2017-11-02T00:00:00Z")],
  [2_090_061_917, Date.parse("2018-08-28T00:00:00Z")],
  [4_219_525_840, Date.parse("2019-07-07T00:00:00Z")],
  [7_315_438_924, Date.parse("2020-11-21T18:01:01Z")],
  [10_629_996_107, Date.parse("2022-04-19T00:00:00Z")],
  [13_951_743_181, Date.parse("2023-10-09T00:00:00Z")],
  [14_287_236_297, Date.parse("2024-01-04T00:00:00Z")],
  [15_780_000_000, Date.parse("2024-12-24T00:00:00Z")],
  [15_897_664_962, Date.parse("2025-02-11T00:00:00Z")],
  [16_326_292_274, Date.parse("2025-07-21T00:00:00Z")],
  [16_975_643_976, Date.parse("2026-06-26T00:00:00Z")],
  [17_091_200_569, Date.parse("2026-07-26T20:00:00Z")],
  [17_121_001_798, Date.parse("2026-08-08T00:00:00Z")],
]

const D2_LAUNCH_MS = Date.parse("2017-09-06T00:00:00Z")

/** Interpolated (extrapolated at both ends) calendar time of an id, in ms. */
export function estimateIdDateMs(id: number): number {
  const first = ID_DATES[0]!
  const last = ID_DATES[ID_DATES.length - 1]!
  let lo = first
  let hi = ID_DATES[1]!
  if (id >= last[0]) {
    lo = ID_DATES[ID_DATES.length - 2]!
    hi = last
  } else if (id > first[0]) {
    for (let i = 1; i < ID_DATES.length; i++) {
      const point = ID_DATES[i]!
      if (id <= point[0]) {
        lo = ID_DATES[i - 1]!
        hi = point
        break
      }
    }
  }
  const slope = (hi[1] - lo[1]) / (hi[0] - lo[0])
  return Math.max(D2_LAUNCH_MS, lo[1] + (id - lo[0]) * slope)
}

/** How long ago (ms) `id` was created when `startId` is being created now. */
export function estimateAgeMs(startId: number, id: number, ratePerSecond: number): number {
  const linear = ((startId - id) / ratePerSecond) * 1000
  const calendar = estimateIdDateMs(startId) - estimateIdDateMs(id)
  // max of two increasing functions stays increasing: near ids follow the configured rate,
  // far ids the real calendar.
  return Math.max(linear, calendar)
}
