import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { collectDueRuns } from "./due-runs.ts"
import { findUnknownTools, parseSchedule, parseTimeout, ScheduleError } from "./schedule-file.ts"

const OPS_SCHEDULE = fileURLToPath(new URL("../../../ops/schedule", import.meta.url))

function errorOf(text: string): string {
  try {
    parseSchedule(text)
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError)
    return (error as Error).message
  }
  throw new Error("expected a ScheduleError")
}

const at = (iso: string) => new Date(iso)

describe("parseSchedule", () => {
  test("a line: cron fields, name, timeout, steps chained with &&", () => {
    const [entry] = parseSchedule("# comment\n\n0 17 * * *  wf  30m  refresh-view world_first_contest_leaderboard && update-wfr-scores\n")
    expect(entry!.name).toBe("wf")
    expect(entry!.cron).toBe("0 17 * * *")
    expect(entry!.timeoutMs).toBe(30 * 60_000)
    expect(entry!.steps).toEqual([["refresh-view", "world_first_contest_leaderboard"], ["update-wfr-scores"]])
    expect(entry!.line).toBe(3)
    expect(entry!.next(at("2026-03-01T16:59:59Z"))).toEqual(at("2026-03-01T17:00:00Z"))
    expect(entry!.next(at("2026-03-01T17:00:00Z"))).toEqual(at("2026-03-02T17:00:00Z"))
  })

  test("errors name the line and the problem", () => {
    expect(errorOf("0 17 * * * wf 30m")).toBe("line 1: expected <5 cron fields> <name> <timeout> <tool> [args]")
    expect(errorOf("\n61 * * * * wf 30m x")).toStartWith('line 2: bad cron expression "61 * * * *"')
    expect(errorOf("0 * * * * Bad_Name 30m x")).toBe('line 1: bad job name "Bad_Name" (lower-case letters, digits and -)')
    expect(errorOf("0 * * * * wf 30 x")).toBe('line 1: bad timeout "30" (e.g. 90s, 14m, 2h; at most 24h)')
    expect(errorOf("0 * * * * wf 25h x")).toBe('line 1: bad timeout "25h" (e.g. 90s, 14m, 2h; at most 24h)')
    expect(errorOf("0 * * * * wf 1m x && && y")).toBe('line 1: empty command around "&&"')
    expect(errorOf("0 * * * * wf 1m rm;x")).toBe('line 1: bad tool name "rm;x"')
    expect(errorOf("0 * * * * wf 1m x\n5 * * * * wf 2m x")).toBe(
      'line 2: job "wf" is defined again with another timeout or command (line 1)',
    )
  })

  test("one job on several lines fires at the earliest of its patterns", () => {
    const [athena] = parseSchedule("*/5 17 * * * athena 10m manifest\n*/15 18 * * * athena 10m manifest\n0 */4 * * * athena 10m manifest\n")
    const runs: string[] = []
    let t = at("2026-03-03T16:00:00Z")
    for (let i = 0; i < 20; i++) {
      t = athena!.next(t)!
      runs.push(t.toISOString().slice(11, 16))
    }
    expect(runs).toEqual(
      ["17:00", "17:05", "17:10", "17:15", "17:20", "17:25", "17:30", "17:35", "17:40", "17:45", "17:50", "17:55"].concat([
        "18:00",
        "18:15",
        "18:30",
        "18:45",
        "20:00",
        "00:00",
        "04:00",
        "08:00",
      ]),
    )
  })

  test("timeouts", () => {
    expect(parseTimeout("90s")).toBe(90_000)
    expect(parseTimeout("14m")).toBe(840_000)
    expect(parseTimeout("2h")).toBe(7_200_000)
    expect(parseTimeout("0s")).toBeNull()
    expect(parseTimeout("1d")).toBeNull()
  })

  test("ops/schedule: the original's crontab, plus the leaderboards and the wfr score after the world-first board", () => {
    const entries = parseSchedule(readFileSync(OPS_SCHEDULE, "utf8"))
    const byName = new Map(entries.map((e) => [e.name, e]))
    expect(byName.get("hades")!.cron).toBe("*/15 * * * *")
    expect(byName.get("hades")!.steps).toEqual([["process-missed-pgcrs"]])
    expect(byName.get("athena")!.cron).toBe("*/5 17 * * *; */15 18 * * *; 0 */4 * * *")
    expect(byName.get("hera")!.cron).toBe("0 12 * * 1")
    expect(byName.get("nemesis")!.cron).toBe("30 5,13,19,23 * * *")
    expect(byName.get("pan")!.cron).toBe("15 7 * * 0")
    const wf = byName.get("world-first-leaderboard")!
    expect(wf.cron).toBe("0 17 * * *")
    expect(wf.steps.map((s) => s[0])).toEqual(["refresh-view", "update-wfr-scores"])
    expect(byName.get("pantheon-race-leaderboard")!.cron).toBe("*/3 * * * *")
    for (const name of ["raid-leaderboard", "global-leaderboard", "team-leaderboard"])
      expect(byName.get(name)!.steps[0]![0]).toBe("refresh-view")
    // hades can never stack on itself: its timeout ends a run before the next slot.
    expect(byName.get("hades")!.timeoutMs).toBeLessThan(15 * 60_000)
    expect(findUnknownTools(entries, new Set(entries.flatMap((e) => e.steps.map((s) => s[0]!))))).toEqual([])
    expect(findUnknownTools(entries, new Set(["process-missed-pgcrs"]))).toContain("hera: leaderboard-clan-crawl")
  })
})

describe("collectDueRuns (injected clock)", () => {
  const [hades] = parseSchedule("*/15 * * * * hades 14m process-missed-pgcrs")

  test("not due before its fire time, due once at it, then the next slot", () => {
    const next = new Map<string, Date | null>()
    expect(collectDueRuns([hades!], next, at("2026-03-01T10:01:00Z"))).toEqual([])
    expect(next.get("hades")).toEqual(at("2026-03-01T10:15:00Z"))
    expect(collectDueRuns([hades!], next, at("2026-03-01T10:14:59.999Z"))).toEqual([])
    const due = collectDueRuns([hades!], next, at("2026-03-01T10:15:00.004Z"))
    expect(due.map((d) => [d.slot.toISOString(), d.missed])).toEqual([["2026-03-01T10:15:00.000Z", 0]])
    expect(collectDueRuns([hades!], next, at("2026-03-01T10:20:00Z"))).toEqual([])
    expect(next.get("hades")).toEqual(at("2026-03-01T10:30:00Z"))
  })

  test("after a suspension: one run for the newest slot, the others counted as missed", () => {
    const next = new Map<string, Date | null>([["hades", at("2026-03-01T10:15:00Z")]])
    const due = collectDueRuns([hades!], next, at("2026-03-01T11:20:00Z"))
    expect(due.map((d) => [d.slot.toISOString(), d.missed])).toEqual([["2026-03-01T11:15:00.000Z", 4]])
    expect(next.get("hades")).toEqual(at("2026-03-01T11:30:00Z"))
  })
})
