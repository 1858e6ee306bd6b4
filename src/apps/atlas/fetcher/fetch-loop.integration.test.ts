/**
 * The fetch loop's decisions with a scripted Bungie (a scripted client: failure paths a real
 * server cannot be made to show on demand) and the real id space, limiter, processing core and
 * message encoding.
 */
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { BungieClient, GetPgcrOptions } from "../../../lib/bungie/client.ts"
import { decodeJson } from "../../../lib/bungie/json.ts"
import { type DecodedPgcr, type RawPgcr, stringifyPgcrIds } from "../../../lib/bungie/pgcr-body.ts"
import { wrapClients } from "../../../lib/bungie/rate-limited.ts"
import type { BungieMeta, BungieResult } from "../../../lib/bungie/result.ts"
import { decodeRawPgcr } from "../../../lib/database/raw-pgcr-codec.ts"
import { loadDefinitions } from "../../../lib/definitions.ts"
import { PGCR_FIXTURES_DIR } from "../../../lib/fixtures-path.ts"
import { createLogger } from "../../../lib/monitoring/logger.ts"
import { createSharedLimiter, type Limiter } from "../../../lib/ratelimit/index.ts"
import { IdSpace } from "../shared/id-space.ts"
import { decodeWriterItem, type FetcherToMain, type WriterItem } from "../shared/messages.ts"
import { DEFAULT_RETRY_POLICY } from "../shared/retry-policy.ts"
import { FetchLoop } from "./fetch-loop.ts"

const meta = (httpStatus: number, errorCode: number | null): BungieMeta => ({
  httpStatus,
  errorCode,
  errorStatus: null,
  attempts: 1,
  latencyMs: 5,
})

function fixture(id: string): RawPgcr {
  const bytes = new Uint8Array(readFileSync(join(PGCR_FIXTURES_DIR, `${id}.json`)))
  const decoded = decodeJson(new TextDecoder().decode(bytes))
  if (!decoded.ok) throw new Error(decoded.reason)
  stringifyPgcrIds(decoded.value)
  return { bytes, pgcr: decoded.value as DecodedPgcr }
}

/** The real rate-limited layer over one scripted client: permits are taken and released as in production. */
function scriptedSource(limiter: Limiter, answer: (id: bigint, cacheBust: number) => Promise<BungieResult<RawPgcr>>) {
  const client = {
    getPgcr: (id: bigint, options: GetPgcrOptions = {}) => answer(id, options.malformedRetry ?? 0),
    close() {},
  } as unknown as BungieClient
  return wrapClients(limiter, [client])
}

describe("FetchLoop", () => {
  test("raid → writer (raw kept), non-raid → ack, lost id → ledger, 12 → ledger, fatal → stop", async () => {
    const raid = fixture("17091392013")
    const strike = fixture("17091392014")
    const base = 1_000n
    // id → scripted answers, one per attempt (the last one repeats).
    const script = new Map<bigint, BungieResult<RawPgcr>[]>([
      [base, [{ kind: "ok", value: raid, meta: meta(200, 1) }]],
      [base + 1n, [{ kind: "ok", value: strike, meta: meta(200, 1) }]],
      [base + 2n, [{ kind: "notFound", meta: meta(404, 1653) }]],
      [base + 3n, [{ kind: "blocked", meta: meta(403, 12) }]],
      [
        base + 4n,
        [
          { kind: "transient", reason: "HTTP 502", meta: meta(502, null) },
          { kind: "ok", value: strike, meta: meta(200, 1) },
        ],
      ],
      [base + 5n, [{ kind: "badFormat", reason: "truncated", meta: meta(200, null) }]],
    ])
    const calls = new Map<bigint, number>()
    const cacheBusts: number[] = []
    const answer = async (id: bigint, cacheBust: number): Promise<BungieResult<RawPgcr>> => {
      const n = calls.get(id) ?? 0
      calls.set(id, n + 1)
      if (id === base + 5n) cacheBusts.push(cacheBust)
      const answers = script.get(id) ?? [{ kind: "fatal", reason: "ApiKeyMissingFromRequest", meta: meta(401, 2102) }]
      return answers[Math.min(n, answers.length - 1)]!
    }
    const space = IdSpace.create(base)
    space.setCeiling(base + 6n)
    space.noteExisting(base + 1_000_000n) // deep history: 404s are lost PGCRs
    const { limiter } = createSharedLimiter({ addresses: 1, initialCeiling: 30, maxCeiling: 30 })
    const items: WriterItem[] = []
    const messages: FetcherToMain[] = []
    const loop = new FetchLoop({
      worker: 0,
      space,
      source: scriptedSource(limiter, answer),
      defs: loadDefinitions(),
      lanes: 3,
      blockSize: 2n,
      writerQueueBound: 100,
      retryQueueBound: 100,
      writer: { postMessage: (bytes) => items.push(decodeWriterItem(bytes as Uint8Array)) },
      report: (message) => messages.push(message),
      policy: { ...DEFAULT_RETRY_POLICY, notFoundScheduleMs: [10, 10, 10], transientAttempts: 3 },
      log: createLogger({ level: "silent" }),
      statsIntervalMs: 20,
    })
    const running = loop.run()
    const deadline = Date.now() + 10_000
    const settled = () => items.length >= 4
    while (!settled() && Date.now() < deadline) await Bun.sleep(20)
    // Then an id the script does not know: the fake answers "fatal" and the loop drains itself.
    space.setCeiling(base + 7n)
    while (!messages.some((m) => m.type === "fatal") && Date.now() < deadline) await Bun.sleep(20)
    await running

    const resolved = messages.flatMap((m) => (m.type === "resolved" ? [...m.ids] : []))
    expect(resolved.sort()).toEqual([base + 1n, base + 4n])
    const byId = new Map(items.map((i) => [i.id, i]))
    const raidItem = byId.get(base.toString())
    expect(raidItem?.kind).toBe("raid")
    if (raidItem?.kind === "raid") {
      expect(raidItem.instance.instanceId).toBe("17091392013")
      expect(new TextDecoder().decode(decodeRawPgcr(raidItem.raw))).toBe(new TextDecoder().decode(raid.bytes))
    }
    const lost = byId.get((base + 2n).toString())
    expect(lost).toMatchObject({ kind: "missed", reason: "notFound", errorCode: 1653 })
    expect(calls.get(base + 2n)).toBe(DEFAULT_RETRY_POLICY.farBehindAttempts)
    expect(byId.get((base + 3n).toString())).toMatchObject({ kind: "missed", reason: "blocked", errorCode: 12 })
    expect(byId.get((base + 5n).toString())).toMatchObject({ kind: "missed", reason: "badFormat" })
    // Bad bodies are refetched with a growing cache buster.
    expect(cacheBusts).toEqual([0, 1, 2])
    const fatal = messages.find((m) => m.type === "fatal")
    expect(fatal).toMatchObject({ type: "fatal", reason: "ApiKeyMissingFromRequest" })
    const stats = messages.filter((m) => m.type === "stats")
    expect(stats.reduce((n, m) => n + (m.type === "stats" ? m.stats.raids : 0), 0)).toBe(1)
    expect(limiter.snapshot().inFlight).toBe(0)
  })

  test("ids handed back after a restart keep their schedule: a hole missing for 11 minutes is ledgered at its next 404", async () => {
    const strike = fixture("17091392014")
    const base = 1_000n
    const calls = new Map<bigint, number>()
    const answer = async (id: bigint): Promise<BungieResult<RawPgcr>> => {
      calls.set(id, (calls.get(id) ?? 0) + 1)
      if (id === base + 3_000n) return { kind: "ok", value: strike, meta: meta(200, 1) }
      return { kind: "notFound", meta: meta(404, 1653) }
    }
    const space = IdSpace.create(base + 3_001n) // nothing left to claim: only the handed-back ids
    space.noteExisting(base + 5_000n) // the ids are holes (well below the newest), not history
    const { limiter } = createSharedLimiter({ addresses: 1, initialCeiling: 30, maxCeiling: 30 })
    const items: WriterItem[] = []
    const messages: FetcherToMain[] = []
    const loop = new FetchLoop({
      worker: 0,
      space,
      source: scriptedSource(limiter, answer),
      defs: loadDefinitions(),
      lanes: 2,
      blockSize: 2n,
      writerQueueBound: 100,
      retryQueueBound: 100,
      writer: { postMessage: (bytes) => items.push(decodeWriterItem(bytes as Uint8Array)) },
      report: (message) => messages.push(message),
      log: createLogger({ level: "silent" }),
      statsIntervalMs: 20,
    })
    const running = loop.run()
    const now = Date.now()
    // The third is found (a hole filled) far enough away not to make the others due with it.
    loop.resume(BigInt64Array.from([base, base + 1n, base + 3_000n]), Float64Array.from([now - 11 * 60_000, now - 30_000, now - 1_000]))
    const deadline = Date.now() + 5_000
    while ((items.length < 1 || !messages.some((m) => m.type === "resolved")) && Date.now() < deadline) await Bun.sleep(20)
    await Bun.sleep(200)
    loop.drain()
    await running
    // Missing for 11 minutes (past the ~10-minute schedule): one more 404, then the ledger.
    expect(items).toEqual([expect.objectContaining({ kind: "missed", id: base.toString(), reason: "notFound" })])
    expect(calls.get(base)).toBe(1)
    // Missing for 30 s: its next try waits ~30 s (the patient schedule), not 5 s as a fresh hole's would.
    expect(calls.get(base + 1n)).toBe(1)
    expect(messages.flatMap((m) => (m.type === "resolved" ? [...m.ids] : []))).toEqual([base + 3_000n])
  })

  test("a late clump: its ids wait patiently as holes, and once one is found every fetcher fetches the rest at once", async () => {
    const strike = fixture("17091392014")
    const base = 1_000n
    const clump = 60n
    const publishAt = Date.now() + 2_000
    const calls = new Map<bigint, number>()
    const answer = async (id: bigint, _cacheBust: number): Promise<BungieResult<RawPgcr>> => {
      calls.set(id, (calls.get(id) ?? 0) + 1)
      if (id >= base && id < base + clump && Date.now() < publishAt) return { kind: "notFound", meta: meta(404, 1653) }
      return { kind: "ok", value: strike, meta: meta(200, 1) }
    }
    const space = IdSpace.create(base)
    space.setCeiling(base + clump)
    space.noteExisting(base + 5_000n) // ids past the clump exist: its 404s are holes, not the head
    const { limiter } = createSharedLimiter({ addresses: 1, initialCeiling: 2_000, maxCeiling: 2_000 })
    const resolvedAt = new Map<bigint, number>()
    const policy = { ...DEFAULT_RETRY_POLICY, holeMinDelayMs: 1_000, holeMaxDelayMs: 60_000 }
    // Two fetchers, each with part of the clump: one finding a hole must wake the other's too.
    const loops = [0, 1].map(
      (worker) =>
        new FetchLoop({
          worker,
          space,
          source: scriptedSource(limiter, answer),
          defs: loadDefinitions(),
          lanes: 4,
          blockSize: 10n,
          writerQueueBound: 100,
          retryQueueBound: 1_000,
          writer: { postMessage: () => {} },
          report: (message) => {
            if (message.type === "resolved") for (const id of message.ids) resolvedAt.set(id, Date.now())
          },
          policy,
          log: createLogger({ level: "silent" }),
          statsIntervalMs: 20,
        }),
    )
    const running = loops.map((l) => l.run())
    const deadline = Date.now() + 15_000
    while (resolvedAt.size < Number(clump) && Date.now() < deadline) await Bun.sleep(20)
    for (const l of loops) l.drain()
    await Promise.all(running)

    expect(resolvedAt.size).toBe(Number(clump))
    // Without promotion each id would wait out its own patient delay (about as long as it had
    // been missing, 2 s here): the last would land up to ~2.4 s after publication.
    const latest = Math.max(...resolvedAt.values())
    expect(latest - publishAt).toBeLessThan(800)
    // Patient: fewer requests per id than the head schedule's 4 in the same 2 s (0, 0.5, 1, 1.75 s).
    const attempts = [...calls.values()].reduce((a, b) => a + b, 0)
    expect(attempts / Number(clump)).toBeLessThan(3.6)
    expect(limiter.snapshot().inFlight).toBe(0)
  })

  test("an incomplete first version is refetched (cache-busted) until complete and then stored; one that never completes is ledgered", async () => {
    const raid = fixture("17091392013")
    // Bungie's early version: the entries have not all arrived (fewer than playerCount says).
    const early: RawPgcr = { bytes: raid.bytes, pgcr: structuredClone(raid.pgcr) }
    const entries = (early.pgcr as unknown as { entries: unknown[] }).entries
    entries.splice(1)
    const base = 17091392013n
    const completesAfter = 3
    const calls = new Map<bigint, number[]>()
    const answer = async (id: bigint, cacheBust: number): Promise<BungieResult<RawPgcr>> => {
      const seen = calls.get(id) ?? []
      seen.push(cacheBust)
      calls.set(id, seen)
      // Id base completes on the 4th fetch; base + 1 never does.
      const complete = id === base && seen.length > completesAfter
      return { kind: "ok", value: complete ? raid : early, meta: meta(200, 1) }
    }
    const space = IdSpace.create(base)
    space.setCeiling(base + 2n)
    const { limiter } = createSharedLimiter({ addresses: 1, initialCeiling: 1_000, maxCeiling: 1_000 })
    const items: WriterItem[] = []
    const schedule = [20, 20, 20, 20, 20]
    const loop = new FetchLoop({
      worker: 0,
      space,
      source: scriptedSource(limiter, answer),
      defs: loadDefinitions(),
      lanes: 2,
      blockSize: 2n,
      writerQueueBound: 100,
      retryQueueBound: 100,
      writer: { postMessage: (bytes) => items.push(decodeWriterItem(bytes as Uint8Array)) },
      report: () => {},
      policy: { ...DEFAULT_RETRY_POLICY, incompleteScheduleMs: schedule },
      log: createLogger({ level: "silent" }),
      statsIntervalMs: 20,
    })
    const running = loop.run()
    const deadline = Date.now() + 10_000
    while (items.length < 2 && Date.now() < deadline) await Bun.sleep(10)
    loop.drain()
    await running

    const byId = new Map(items.map((i) => [i.id, i]))
    const stored = byId.get(base.toString())
    expect(stored?.kind).toBe("raid")
    if (stored?.kind === "raid") expect(stored.instance.players.length).toBeGreaterThan(1)
    // Every refetch carries a new cache buster, so no cache can serve the early version again.
    expect(calls.get(base)).toEqual([0, 1, 2, 3])
    const never = byId.get((base + 1n).toString())
    expect(never).toMatchObject({ kind: "missed", reason: "incomplete" })
    expect(calls.get(base + 1n)!.length).toBe(schedule.length + 1)
  })
})
