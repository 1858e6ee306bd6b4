/**
 * `bun run tool dead-letters <queue> [--requeue] [--limit N] [config flags]`
 *
 * Lists the messages parked in `<queue>.dead` with the reason hermes recorded (one JSON line each
 * on stdout), oldest first, and leaves them there; with --requeue moves them back to `<queue>`
 * after a fix, their retry count reset to 0 (each republish is confirmed before the parked copy
 * is removed, so a crash in between can duplicate a message, never lose one).
 *
 * Exit codes: 0 done, 1 the broker failed, 2 bad usage or RabbitMQ unreachable.
 */
import { ConfigError, loadConfigWithArgs } from "../lib/config.ts"
import { carriedHeaders, createConfirmedPublisher } from "../lib/messaging/confirmed-publisher.ts"
import { isQueueName, QUEUE_NAMES } from "../lib/messaging/queues.ts"
import { connectRabbit } from "../lib/messaging/rabbit-connection.ts"
import { rawBody } from "../lib/messaging/raw-bodies.ts"
import { RETRY_COUNT_HEADER, readRetryCount } from "../lib/messaging/retry-schedule.ts"
import { deadQueueName } from "../lib/messaging/topology.ts"
import type { Tool, ToolIo } from "./tool.ts"

const NAME = "dead-letters"
const DESCRIPTION = "List the messages parked in <queue>.dead with their reasons; --requeue moves them back."
const DEFAULT_LIMIT = 100

const USAGE = `Usage: bun run tool ${NAME} <queue> [--requeue] [--limit N] [config flags]

Lists the messages in <queue>.dead (RABBITMQ_URL), oldest first, one JSON line each:
  {"n":1,"messageId":…,"reason":…,"deadAt":…,"retries":…,"contentType":…,"body":…}
and leaves them parked.

  --requeue   move the listed messages back to <queue> (retry count reset to 0)
  --limit N   at most N messages (default ${DEFAULT_LIMIT})

Queues: ${QUEUE_NAMES.join(", ")}`

export interface DeadLettersArgs {
  queue: string
  requeue: boolean
  limit: number
  configArgs: string[]
}

export function parseDeadLettersArgs(argv: readonly string[]): DeadLettersArgs | string {
  let queue: string | undefined
  let requeue = false
  let limit = DEFAULT_LIMIT
  const configArgs: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--requeue") requeue = true
    else if (arg === "--limit" || arg.startsWith("--limit=")) {
      const raw = arg === "--limit" ? argv[++i] : arg.slice("--limit=".length)
      const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
      if (!(n >= 1 && n <= 1_000_000)) return `--limit needs a whole number from 1 to 1000000, got ${JSON.stringify(raw ?? "")}`
      limit = n
    } else if (arg.startsWith("--")) configArgs.push(arg)
    else if (queue === undefined) queue = arg
    else configArgs.push(arg)
  }
  if (queue === undefined) return "which queue? (e.g. dead-letters pgcr_exists)"
  if (!isQueueName(queue)) return `unknown queue ${JSON.stringify(queue)} (known: ${QUEUE_NAMES.join(", ")})`
  return { queue, requeue, limit, configArgs }
}

async function run(argv: readonly string[], io: ToolIo): Promise<number> {
  const args = parseDeadLettersArgs(argv)
  if (typeof args === "string") {
    io.err(`${NAME}: ${args}`)
    return 2
  }
  let url: string | null
  try {
    const loaded = loadConfigWithArgs(io.env, args.configArgs)
    if (loaded.rest.length > 0) {
      io.err(`${NAME}: unknown argument ${JSON.stringify(loaded.rest[0])}`)
      return 2
    }
    url = loaded.config.RABBITMQ_URL
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`${NAME}: ${error.message}`)
      return 2
    }
    throw error
  }
  if (!url) {
    io.err(`${NAME}: RABBITMQ_URL is not set`)
    return 2
  }
  let connectError: unknown = null
  const rabbit = connectRabbit(url, { name: NAME, onError: (error) => (connectError ??= error) })
  try {
    try {
      await rabbit.onConnect(5_000, true)
    } catch {
      io.err(`${NAME}: RabbitMQ unreachable (${connectError instanceof Error ? connectError.message : "no answer"}): check RABBITMQ_URL`)
      return 2
    }
    return await listOrRequeue(rabbit, args, io)
  } catch (error) {
    io.err(`${NAME}: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  } finally {
    await rabbit.close().catch(() => {})
  }
}

async function listOrRequeue(rabbit: ReturnType<typeof connectRabbit>, args: DeadLettersArgs, io: ToolIo): Promise<number> {
  const dead = deadQueueName(args.queue)
  const channel = await rabbit.acquire()
  const publisher = args.requeue ? createConfirmedPublisher(rabbit) : null
  let listed = 0
  let requeued = 0
  try {
    const { messageCount } = await channel.queueDeclare({ queue: dead, passive: true })
    // Held unacked while listing, so each message is seen once; nacked back (in order) at the end.
    const held: number[] = []
    while (listed < Math.min(args.limit, messageCount)) {
      const message = await channel.basicGet({ queue: dead, noAck: false })
      if (!message) break
      listed++
      const raw = rawBody(message)
      const headers = (message.headers ?? {}) as Record<string, unknown>
      io.out(
        JSON.stringify({
          n: listed,
          messageId: message.messageId ?? null,
          reason: headers["x-dead-reason"] ?? "(no reason: dead-lettered by the broker)",
          deadAt: headers["x-dead-at"] ?? null,
          retries: readRetryCount(headers),
          contentType: raw.contentType ?? null,
          body: raw.body.toString("utf8").slice(0, 500),
        }),
      )
      if (publisher) {
        const {
          "x-dead-reason": _reason,
          "x-dead-at": _at,
          "x-dead-queue": _queue,
          "x-last-error": _last,
          ...rest
        } = carriedHeaders(headers)
        await publisher.publish(args.queue, raw.body, {
          contentType: raw.contentType,
          messageId: message.messageId,
          headers: { ...rest, [RETRY_COUNT_HEADER]: 0, "x-requeued-at": new Date().toISOString() },
        })
        channel.basicAck({ deliveryTag: message.deliveryTag })
        requeued++
      } else held.push(message.deliveryTag)
    }
    for (const tag of held) channel.basicNack({ deliveryTag: tag, requeue: true })
    io.err(
      args.requeue
        ? `${NAME}: moved ${requeued} of ${messageCount} from ${dead} back to ${args.queue}`
        : `${NAME}: ${messageCount} parked in ${dead}${listed < messageCount ? ` (listed ${listed}; --limit)` : ""}`,
    )
    return 0
  } finally {
    await publisher?.close().catch(() => {})
    await channel.close().catch(() => {})
  }
}

export const tool: Tool = { name: NAME, description: DESCRIPTION, usage: USAGE, run }
