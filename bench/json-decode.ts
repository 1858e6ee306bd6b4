/**
 * bigint-safe decoder vs plain JSON.parse over every fixture PGCR.
 *
 *   npx bun bench/json-decode.ts [--seconds 1]
 *
 * Two corpora: the fixture files as stored (pretty-printed) and the same files compacted
 * (whitespace outside strings removed, literals untouched), which is what Bungie sends on the wire.
 * Methods are interleaved round by round so drift hits all alike; the table shows medians.
 * Writes bench/results/json-decode.json. Asserts nothing about time.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { decodeJson, decodeJsonBytes, isUnsafeNumberLiteral } from "../src/lib/bungie/json.ts"
import { stringifyPgcrIds } from "../src/lib/bungie/pgcr-body.ts"
import { decodePgcrJson } from "../src/lib/bungie/pgcr-decode.ts"
import { PGCR_FIXTURES_DIR } from "../src/lib/fixtures-path.ts"
import { quantileOf } from "../src/lib/math/percentile.ts"

const secondsArg = process.argv.indexOf("--seconds")
const secondsPerMethod = secondsArg === -1 ? 1.5 : Number(process.argv[secondsArg + 1])
const ROUNDS = 9

const names = readdirSync(PGCR_FIXTURES_DIR)
  .filter((n) => /^\d+\.json$/.test(n))
  .sort()
const pretty = names.map((n) => readFileSync(join(PGCR_FIXTURES_DIR, n), "utf8"))
const compact = pretty.map(stripWhitespaceOutsideStrings)
/** The compact corpus in success envelopes with every report's mode made a non-raid one (5, [7,5]), as most ids are. */
const nonRaid = compact.map((t) => {
  const body = t.startsWith('{"Response"') ? t : `{"Response":${t}}`
  const withTail = body.includes('"ErrorCode"') ? body : `${body.slice(0, -1)},"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success"}`
  return withTail.replace(/"mode":\d+,"modes":\[[\d,]*\]/, '"mode":5,"modes":[7,5]')
})
const encoder = new TextEncoder()
const utf8 = new TextDecoder()

function stripWhitespaceOutsideStrings(text: string): string {
  let out = ""
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (inString) {
      out += c
      if (c === "\\") out += text[++i]
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
      out += c
    } else if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") out += c
  }
  return out
}

function sourceReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === "number" && context?.source !== undefined && isUnsafeNumberLiteral(context.source)) return context.source
  return value
}

type Method = { name: string; run: (text: string, bytes: Uint8Array) => unknown; input: "text" | "bytes" }

const methods: Method[] = [
  { name: "JSON.parse", input: "text", run: (t) => JSON.parse(t) },
  { name: "decodeJson", input: "text", run: (t) => decodeJson(t) },
  {
    name: "decodeJson + stringifyPgcrIds",
    input: "text",
    run: (t) => {
      const r = decodeJson(t)
      if (r.ok) stringifyPgcrIds((r.value as { Response?: unknown }).Response ?? r.value)
      return r
    },
  },
  { name: "decodePgcrJson", input: "text", run: (t) => decodePgcrJson(t) },
  { name: "JSON.parse reviver+source (ref)", input: "text", run: (t) => JSON.parse(t, sourceReviver as never) },
  { name: "bytes: TextDecoder+JSON.parse", input: "bytes", run: (_, b) => JSON.parse(utf8.decode(b)) },
  { name: "bytes: decodeJsonBytes", input: "bytes", run: (_, b) => decodeJsonBytes(b) },
]

interface Row {
  corpus: string
  method: string
  nsPerPgcr: number
  mbPerSec: number
  ratio: number
}

let sink = 0
function timeOnce(method: Method, texts: string[], bytes: Uint8Array[], budgetMs: number): number {
  // Returns ns per PGCR for one round of roughly `budgetMs`.
  let docs = 0
  const start = Bun.nanoseconds()
  const deadline = start + budgetMs * 1e6
  while (Bun.nanoseconds() < deadline) {
    for (let i = 0; i < texts.length; i++) {
      const value = method.run(texts[i]!, bytes[i]!)
      if (value !== undefined) sink++
    }
    docs += texts.length
  }
  return (Bun.nanoseconds() - start) / docs
}

const rows: Row[] = []
for (const [corpus, texts] of [
  ["pretty (as stored)", pretty],
  ["compact (wire-like)", compact],
  ["compact non-raid (modes rewritten)", nonRaid],
] as const) {
  const bytes = texts.map((t) => encoder.encode(t))
  const totalBytes = bytes.reduce((sum, b) => sum + b.length, 0)
  const meanBytes = totalBytes / texts.length
  for (const m of methods) timeOnce(m, texts, bytes, 100) // warm-up / JIT
  const samples = new Map<string, number[]>(methods.map((m) => [m.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of methods) samples.get(m.name)!.push(timeOnce(m, texts, bytes, (secondsPerMethod * 1000) / ROUNDS))
  }
  const baseline = quantileOf(samples.get("JSON.parse")!, 0.5)
  const bytesBaseline = quantileOf(samples.get("bytes: TextDecoder+JSON.parse")!, 0.5)
  for (const m of methods) {
    const ns = quantileOf(samples.get(m.name)!, 0.5)
    const base = m.input === "bytes" ? bytesBaseline : baseline
    rows.push({ corpus, method: m.name, nsPerPgcr: Math.round(ns), mbPerSec: meanBytes / (ns / 1e9) / 1e6, ratio: ns / base })
  }
  console.log(`\n${corpus}: ${texts.length} PGCRs, ${(totalBytes / 1e6).toFixed(2)} MB, mean ${(meanBytes / 1024).toFixed(1)} KiB`)
  console.log(`${"method".padEnd(34) + "ns/PGCR".padStart(12) + "MB/s".padStart(10)}  ratio vs baseline`)
  for (const r of rows.filter((r) => r.corpus === corpus)) {
    console.log(`${r.method.padEnd(34) + String(r.nsPerPgcr).padStart(12) + r.mbPerSec.toFixed(0).padStart(10)}  ${r.ratio.toFixed(3)}x`)
  }
}
console.log("\n(ratio: text methods vs JSON.parse, bytes methods vs TextDecoder+JSON.parse)")

const out = resolve(import.meta.dir, "results", "json-decode.json")
mkdirSync(resolve(import.meta.dir, "results"), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify({ bun: Bun.version, at: new Date().toISOString(), files: names.length, rows, sink: sink > 0 }, null, 2)}\n`,
)
console.log(`wrote ${out}`)
