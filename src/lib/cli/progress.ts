/**
 * One progress bar for every long-running tool: done/total, percent, rate and ETA. On a terminal it
 * redraws one line in place; elsewhere (a scheduled job, a log file) it writes a plain line at most
 * every `intervalMs`, so a job's output stays a readable, bounded log. The rendering is pure
 * (renderProgress) and the clock injectable; `finish()` always writes the final line.
 */

export interface ProgressOptions {
  /** What is being counted, e.g. "ids", "players". */
  unit: string
  /** Total when known; null draws a counter without percent or ETA. */
  total: number | null
  /** Writes one line (or a carriage-return redraw on a terminal). */
  write: (text: string) => void
  /** True: redraw in place with \r; false: one line per interval. */
  tty: boolean
  /** Least time between two lines when not on a terminal (default 5 s). */
  intervalMs?: number
  now?: () => number
  label?: string
}

export interface Progress {
  /** Adds `n` (default 1) done items. */
  advance(n?: number): void
  /** Sets a known total later (e.g. after counting). */
  setTotal(total: number | null): void
  /** Writes the final line. */
  finish(): void
}

export interface ProgressState {
  label: string
  unit: string
  done: number
  total: number | null
  elapsedMs: number
}

const BAR_WIDTH = 24

/** The line for a state: `label [#####.....] 1,234/10,000 ids 12.3 % 45.6/s ETA 3m12s`. */
export function renderProgress(state: ProgressState): string {
  const seconds = state.elapsedMs / 1000
  const rate = seconds > 0 ? state.done / seconds : 0
  const parts = [state.label === "" ? "" : `${state.label} `]
  if (state.total !== null && state.total > 0) {
    const share = Math.min(1, state.done / state.total)
    const filled = Math.round(share * BAR_WIDTH)
    parts.push(`[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] `)
    parts.push(`${formatCount(state.done)}/${formatCount(state.total)} ${state.unit} ${(share * 100).toFixed(1)} %`)
  } else {
    parts.push(`${formatCount(state.done)} ${state.unit}`)
  }
  parts.push(` ${formatRate(rate)}/s`)
  if (state.total !== null && state.done < state.total) {
    parts.push(rate > 0 ? ` ETA ${formatDuration(((state.total - state.done) / rate) * 1000)}` : " ETA ?")
  } else {
    parts.push(` in ${formatDuration(state.elapsedMs)}`)
  }
  return parts.join("")
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US")
}

function formatRate(rate: number): string {
  return rate >= 100 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1)
}

/** 3725000 → "1h02m", 192000 → "3m12s", 4200 → "4.2s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?"
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)}s`
  const total = Math.round(s)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const sec = total % 60
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(sec).padStart(2, "0")}s`
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const interval = options.intervalMs ?? 5_000
  let lastDraw = Number.NEGATIVE_INFINITY
  const state: ProgressState = { label: options.label ?? "", unit: options.unit, done: 0, total: options.total, elapsedMs: 0 }
  const draw = (final: boolean) => {
    const t = now()
    // A terminal redraws at most 10 times a second; a log gets a line per interval.
    if (!final && t - lastDraw < (options.tty ? 100 : interval)) return
    lastDraw = t
    state.elapsedMs = t - started
    const line = renderProgress(state)
    options.write(options.tty ? `\r${line}${final ? "\n" : ""}` : `${line}\n`)
  }
  return {
    advance(n = 1) {
      state.done += n
      draw(false)
    },
    setTotal(total) {
      state.total = total
    },
    finish() {
      draw(true)
    },
  }
}

/** A progress bar on stderr (a terminal redraws in place). */
export function createStderrProgress(unit: string, total: number | null, label = ""): Progress {
  return createProgress({ unit, total, label, tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) })
}
