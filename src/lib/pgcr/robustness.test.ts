/**
 * Robustness: systematic mutations of the real fixtures never throw, and each yields either a
 * badFormat with a reason (never an internalError) or a storable instance.
 *
 * Mutations are applied in place and undone (processing never mutates its input), so thousands of
 * variants cost no cloning. Exhaustive over every field of small raid fixtures and every
 * representative field of larger ones (one per era, multi-character players); a deterministic
 * sample over every other fixture.
 */
import { describe, expect, test } from "bun:test"
import { decodeJson } from "../bungie/json.ts"
import { loadDefinitions } from "../definitions.ts"
import { listPgcrFixtureNames, readPgcrFixtureJson, readPgcrFixtureText } from "../fixtures.ts"
import { createSeededRandom } from "../math/seeded-random.ts"
import { unwrapPgcrEnvelope } from "./envelope.ts"
import { findInstanceProblems } from "./invariants.ts"
import { processPgcr } from "./process.ts"
import type { ProcessResult } from "./result.ts"

const defs = loadDefinitions()

type Container = Record<string, unknown> | unknown[]
interface Site {
  parent: Container
  key: string | number
  path: string
}

const REPLACEMENTS: ReadonlyArray<[string, () => unknown]> = [
  ["null", () => null],
  ["NaN string", () => "NaN"],
  ["empty string", () => ""],
  ["-1", () => -1],
  ["0", () => 0],
  ["huge 1e20", () => 1e20],
  ["2^31", () => 2 ** 31],
  ["MAX_VALUE", () => Number.MAX_VALUE],
  ["NaN number", () => Number.NaN],
  ["Infinity", () => Number.POSITIVE_INFINITY],
  ["fraction 0.5", () => 0.5],
  ["true", () => true],
  ["empty object", () => ({})],
  ["empty array", () => []],
  ["bigint", () => 12345678901234567890n],
  ["deep nesting", () => ({ basic: { value: { basic: { value: 1 } } } })],
]

function collectSites(root: unknown, path = "", out: Site[] = []): Site[] {
  if (Array.isArray(root)) {
    root.forEach((child, i) => {
      out.push({ parent: root, key: i, path: `${path}[${i}]` })
      collectSites(child, `${path}[${i}]`, out)
    })
  } else if (root !== null && typeof root === "object") {
    for (const [key, child] of Object.entries(root)) {
      out.push({ parent: root as Record<string, unknown>, key, path: path ? `${path}.${key}` : key })
      collectSites(child, path ? `${path}.${key}` : key, out)
    }
  }
  return out
}

/** Runs processPgcr on the mutated body and checks the outcome; returns the result kind. */
function runChecked(body: unknown, label: string): ProcessResult["kind"] {
  let result: ProcessResult
  try {
    result = processPgcr(body, defs)
  } catch (error) {
    throw new Error(`${label}: processPgcr threw ${String(error)}`)
  }
  if (result.kind === "badFormat") {
    if (result.code === "internalError" || !result.reason.startsWith(`${result.code}: `) || result.reason.length < 12) {
      throw new Error(`${label}: bad badFormat ${JSON.stringify(result)}`)
    }
  } else if (result.kind === "raid") {
    const problems = findInstanceProblems(result.instance)
    if (problems.length > 0) throw new Error(`${label}: invalid instance: ${problems.join("; ")}`)
    JSON.stringify(result.instance) // must be JSON-safe (no bigint)
  } else if (result.kind === "nonRaid") {
    if (Number.isNaN(Date.parse(result.dateCompleted))) throw new Error(`${label}: bad nonRaid date`)
  } else {
    throw new Error(`${label}: unknown result ${JSON.stringify(result)}`)
  }
  return result.kind
}

/** Applies a mutation at a site, runs, and undoes it. */
function mutateAndRun(body: unknown, site: Site, mutation: string, value: (() => unknown) | "delete"): ProcessResult["kind"] {
  const { parent, key } = site
  const label = `${site.path} ← ${mutation}`
  if (Array.isArray(parent)) {
    const index = key as number
    const saved = parent[index]
    if (value === "delete") parent.splice(index, 1)
    else parent[index] = value()
    try {
      return runChecked(body, label)
    } finally {
      if (value === "delete") parent.splice(index, 0, saved)
      else parent[index] = saved
    }
  }
  const k = key as string
  const had = Object.hasOwn(parent, k)
  const saved = parent[k]
  if (value === "delete") delete parent[k]
  else parent[k] = value()
  try {
    return runChecked(body, label)
  } finally {
    if (had) parent[k] = saved
    else delete parent[k]
  }
}

function bodyOf(name: string): unknown {
  const unwrapped = unwrapPgcrEnvelope(readPgcrFixtureJson(name))
  return unwrapped.kind === "ok" ? unwrapped.body : readPgcrFixtureJson(name)
}

function tally(kinds: ProcessResult["kind"][]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const k of kinds) counts[k] = (counts[k] ?? 0) + 1
  return counts
}

/**
 * For the larger fixtures, every field of the first two entries and of their first weapon (the
 * rest repeat the same shapes). Keeps the run well under a second even on a loaded machine.
 */
function isRepresentative(site: Site): boolean {
  return !/entries\[([2-9]|\d\d+)\]|weapons\[([1-9]|\d\d+)\]/.test(site.path)
}

// Explicit budget: these loops are CPU-bound and the machine is shared by concurrent test runs.
const HEAVY_TEST_TIMEOUT_MS = 60_000

describe("robustness under mutation", () => {
  const exhaustive: ReadonlyArray<[string, boolean]> = [
    ["17091283535.json", true], // smallest raid (Last Wish, 2 entries)
    ["14287236297.json", true], // solo, Witch Queen era onwards
    ["17091200569.json", false], // 2 players × 3 characters, bare Response, JS literals
    ["6870306963.json", false], // pre-Beyond Light (startingPhaseIndex rules)
    ["10629996107.json", false], // Witch Queen era (flag trust rule)
  ]
  for (const [name, everySite] of exhaustive) {
    test(
      `exhaustive: every ${everySite ? "" : "representative "}field of ${name} removed or replaced by every bad value`,
      () => {
        const body = bodyOf(name)
        const before = JSON.stringify(body)
        const sites = collectSites(body).filter((site) => everySite || isRepresentative(site))
        const kinds: ProcessResult["kind"][] = []
        for (const site of sites) {
          kinds.push(mutateAndRun(body, site, "delete", "delete"))
          for (const [mutation, value] of REPLACEMENTS) kinds.push(mutateAndRun(body, site, mutation, value))
        }
        expect(JSON.stringify(body)).toBe(before) // every mutation undone, input never modified
        const counts = tally(kinds)
        expect(kinds.length).toBe(sites.length * (REPLACEMENTS.length + 1))
        expect(counts.badFormat).toBeGreaterThan(100)
        expect(counts.raid).toBeGreaterThan(100)
      },
      HEAVY_TEST_TIMEOUT_MS,
    )
  }

  test(
    "sampled: 400 deterministic mutations of every fixture",
    () => {
      const random = createSeededRandom(0x5eed)
      const next = (n: number) => Math.floor(random() * n)
      let runs = 0
      for (const name of listPgcrFixtureNames()) {
        const body = bodyOf(name)
        const sites = collectSites(body)
        for (let i = 0; i < 400; i++) {
          const site = sites[next(sites.length)]!
          const pick = next(REPLACEMENTS.length + 1)
          if (pick === REPLACEMENTS.length) mutateAndRun(body, site, "delete", "delete")
          else mutateAndRun(body, site, REPLACEMENTS[pick]![0], REPLACEMENTS[pick]![1])
          runs++
        }
      }
      expect(runs).toBe(listPgcrFixtureNames().length * 400)
    },
    HEAVY_TEST_TIMEOUT_MS,
  )

  test("whole-document garbage", () => {
    const inputs: unknown[] = [
      undefined,
      null,
      0,
      42,
      "",
      "PGCR",
      true,
      [],
      [1, 2],
      {},
      { activityDetails: null },
      { activityDetails: {} },
      { activityDetails: { instanceId: "1", mode: 4, directorActivityHash: 2122313384 } },
      { activityDetails: { instanceId: "1", mode: 4, directorActivityHash: 2122313384 }, period: "2026-01-01T00:00:00Z" },
      { activityDetails: { instanceId: "1", mode: 4, directorActivityHash: 2122313384 }, period: "2026-01-01T00:00:00Z", entries: [] },
      { activityDetails: { instanceId: "1", mode: 4, directorActivityHash: 2122313384 }, period: "2026-01-01T00:00:00Z", entries: [null] },
      { activityDetails: { instanceId: "1", mode: 4, directorActivityHash: 2122313384 }, period: "2026-01-01T00:00:00Z", entries: [{}] },
      {
        activityDetails: { instanceId: "1", mode: 4, directorActivityHash: 2122313384 },
        period: "2026-01-01T00:00:00Z",
        entries: [{ values: {} }],
      },
      Object.create(null),
    ]
    for (const [i, input] of inputs.entries()) expect(runChecked(input, `garbage #${i}`)).toBe("badFormat")
  })

  test("entries replaced wholesale: empty, one entry, many copies", () => {
    const body = bodyOf("13951743181.json") as { entries: unknown[] }
    const entries = body.entries
    try {
      body.entries = []
      expect(processPgcr(body, defs)).toMatchObject({ kind: "badFormat", code: "incomplete" })
      body.entries = [entries[0]]
      expect(processPgcr(body, defs)).toMatchObject({ kind: "badFormat", code: "incomplete" })
      body.entries = Array.from({ length: 500 }, () => entries[0])
      expect(runChecked(body, "500 copies")).toBe("badFormat")
    } finally {
      body.entries = entries
    }
  })

  test("a bigint-safe decoder's output (fireteamId as string) processes like JSON.parse output", () => {
    for (const name of listPgcrFixtureNames()) {
      const decoded = decodeJson(readPgcrFixtureText(name))
      if (!decoded.ok) throw new Error(decoded.reason)
      const unwrapped = unwrapPgcrEnvelope(decoded.value)
      const viaDecoder = processPgcr(unwrapped.kind === "ok" ? unwrapped.body : decoded.value, defs)
      expect(JSON.stringify(viaDecoder)).toBe(JSON.stringify(processPgcr(bodyOf(name), defs)))
    }
  })
})
