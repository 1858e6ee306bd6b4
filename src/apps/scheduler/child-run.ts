/**
 * Runs one job step as a child process, so a crashing job never takes the scheduler down. The
 * step gets until `deadline`; then SIGTERM (the tools stop gracefully on it), and SIGKILL
 * `killGraceMs` later if it is still there. An abort (the scheduler stopping) ends it the same way.
 */

export interface ChildResult {
  /** Exit code; null when a signal ended it. */
  exitCode: number | null
  signal: string | null
  /** Ended by the deadline (SIGTERM, maybe SIGKILL). */
  timedOut: boolean
  /** Ended because the scheduler is stopping. */
  aborted: boolean
  killed: boolean
  durationMs: number
}

export interface ChildOptions {
  /** Epoch ms by which the step must have ended. */
  deadline: number
  killGraceMs: number
  env: Record<string, string | undefined>
  cwd: string
  signal?: AbortSignal
  /** Where the child's stdout and stderr go (default: this process's). */
  stdio?: "inherit" | "ignore"
}

export async function runChild(argv: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const started = performance.now()
  const stdio = options.stdio ?? "inherit"
  const child = Bun.spawn([...argv], { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: stdio, stderr: stdio })
  let timedOut = false
  let aborted = false
  let killed = false
  let killTimer: ReturnType<typeof setTimeout> | undefined
  const terminate = () => {
    if (killTimer !== undefined) return
    child.kill("SIGTERM")
    killTimer = setTimeout(() => {
      killed = true
      child.kill("SIGKILL")
    }, options.killGraceMs)
  }
  const deadlineTimer = setTimeout(
    () => {
      timedOut = true
      terminate()
    },
    Math.max(0, options.deadline - Date.now()),
  )
  const onAbort = () => {
    aborted = true
    terminate()
  }
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener("abort", onAbort, { once: true })
  try {
    const exitCode = await child.exited
    return {
      exitCode: child.signalCode === null ? exitCode : null,
      signal: child.signalCode === null ? null : String(child.signalCode),
      timedOut,
      aborted,
      killed,
      durationMs: performance.now() - started,
    }
  } finally {
    clearTimeout(deadlineTimer)
    if (killTimer !== undefined) clearTimeout(killTimer)
    options.signal?.removeEventListener("abort", onAbort)
  }
}
