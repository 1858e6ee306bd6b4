import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"

export const RESULTS_DIR = join(import.meta.dir, "..", "results")

/** One printable table row: label plus named numeric or text cells. */
export type Row = Record<string, string | number>

function formatCell(value: string | number): string {
  if (typeof value === "string") return value
  if (!Number.isFinite(value)) return "n/a"
  if (Number.isInteger(value)) return String(value)
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(3)
}

export function renderTable(rows: readonly Row[]): string {
  if (rows.length === 0) return "(no rows)"
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c] ?? "")))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)))
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join("  ")
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}

/** Writes bench/results/<scenario>.json (git-ignored) and returns its path. */
export function writeResult(scenario: string, result: unknown): string {
  const path = join(RESULTS_DIR, `${scenario}.json`)
  mkdirSync(dirname(path), { recursive: true })
  const body = JSON.stringify(
    { scenario, measuredAt: new Date().toISOString(), bun: Bun.version, result },
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
    2,
  )
  writeFileSync(path, `${body}\n`)
  return path
}

/** Progress lines go to stderr so stdout stays the summary table. */
export function reportProgress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}
