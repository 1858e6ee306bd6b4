/**
 * Hermes's run flags (what the shared config does not consume): `--queue NAME` (repeatable),
 * `--metrics-port N`, `--no-relays`, `--help`.
 */
import { isQueueName, QUEUE_NAMES, type QueueName } from "../../lib/messaging/queues.ts"

export class UsageError extends Error {
  override name = "UsageError"
}

export interface HermesFlags {
  help: boolean
  queues: QueueName[]
  metricsPort: number | null
  relays: boolean | null
}

export const HELP_TEXT = `Usage: bun run hermes [--queue NAME ...] [--metrics-port N] [--no-relays] [shared config flags]

Consumes the RabbitMQ work queues with their workers, autoscales each queue, watches Bungie
availability, hosts the outbox relays, and serves /metrics (HERMES_METRICS_PORT).

  --queue NAME      consume only this queue (repeatable; default HERMES_QUEUES, else every queue with a worker)
  --metrics-port N  /metrics and /healthz port (0 = any free port; default HERMES_METRICS_PORT, 8081)
  --no-relays       do not host the outbox relays (HERMES_RELAYS=false)

Queues: ${QUEUE_NAMES.join(", ")}
Needs RABBITMQ_URL; Postgres from DATABASE_URL (else the embedded server under DATA_DIR).
`

export function parseHermesFlags(argv: readonly string[]): HermesFlags {
  const flags: HermesFlags = { help: false, queues: [], metricsPort: null, relays: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined]
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new UsageError(`${name} needs a value`)
      return v
    }
    switch (name) {
      case "--help":
      case "-h":
        flags.help = true
        break
      case "--queue": {
        const queue = value()
        if (!isQueueName(queue)) throw new UsageError(`--queue ${queue}: unknown queue (known: ${QUEUE_NAMES.join(", ")})`)
        if (!flags.queues.includes(queue)) flags.queues.push(queue)
        break
      }
      case "--metrics-port": {
        const raw = value()
        const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
        if (!(port >= 0 && port <= 65535)) throw new UsageError(`--metrics-port ${raw}: expected a port in [0, 65535]`)
        flags.metricsPort = port
        break
      }
      case "--no-relays":
        flags.relays = false
        break
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`)
    }
  }
  return flags
}

/** Queue names from HERMES_QUEUES (validated against the table). */
export function parseQueueList(list: string | null): QueueName[] {
  if (list === null) return []
  return list.split(",").map((name) => {
    if (!isQueueName(name)) throw new UsageError(`HERMES_QUEUES: unknown queue ${JSON.stringify(name)} (known: ${QUEUE_NAMES.join(", ")})`)
    return name
  })
}
