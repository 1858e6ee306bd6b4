/**
 * A stand-in job for the scheduler's tests: `bun fake-job.ts <marker file> <sleep ms> <exit code>
 * [ignore-term]`. Appends "start <pid>" to the marker, sleeps, appends "end <pid>", exits with the
 * code. With ignore-term it ignores SIGTERM (so only SIGKILL ends it).
 */
import { appendFileSync } from "node:fs"

const [marker, sleepMs, exitCode, mode] = process.argv.slice(2)
if (mode === "ignore-term") process.on("SIGTERM", () => appendFileSync(marker!, `term ${process.pid}\n`))
appendFileSync(marker!, `start ${process.pid}\n`)
await Bun.sleep(Number(sleepMs))
appendFileSync(marker!, `end ${process.pid}\n`)
process.exit(Number(exitCode))
