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
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { ConfigError } from "../lib/config/load-config.ts"
import { carriedHeaders, createConfirmedPublisher } from "../lib/messaging/confirmed-publisher.ts"
import { isQueueName, QUEUE_NAMES } from "../lib/messaging/queues.ts"
import type { connectRabbit } from "../lib/messaging/rabbit-connection.ts"
import { rawBody } from "../lib/messaging/raw-bodies.ts"
import { RETRY_COUNT_HEADER, readRetryCount } from "../lib/messaging/retry-schedule.ts"
import { deadQueueName } from "../lib/messaging/topology.ts"
import { rabbitmqService } from "../lib/runtime/services.ts"
import { waitForService } from "../lib/runtime/wait-for-service.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"

const NAME = "dead-letters"
const DESCRIPTION = "List the messages parked in <queue>.dead with their reasons; --requeue moves them back."
const DEFAULT_LIMIT = 100

const DEAD_LETTERS_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <queue> [--requeue] [--limit N] [flags]`,
  summary:
    "Lists the messages in <queue>.dead (RABBITMQ_URL), oldest first, one JSON line each " +
    '({"n":1,"messageId":…,"reason":…,"deadAt":…,"retries":…,"contentType":…,"body":…}), and leaves them parked; ' +
    "--requeue moves them back to <queue> with their retry count reset to 0.",
  sections: ["shared"],
  flags: {
    requeue: { type: "boolean", default: false, description: "Move the listed messages back to <queue>." },
    limit: { type: "int", default: DEFAULT_LIMIT, min: 1, max: 1_000_000, description: "At most this many messages." },
  },
  positionals: { name: "queue", description: `One of ${QUEUE_NAMES.join(", ")}.`, max: 1 },
} as const satisfies CommandSpec

export interface DeadLettersArgs {
  queue: string
  requeue: boolean
  limit: number
}

/** The tool's arguments from its parsed command line; throws UsageError. */
export function readDeadLettersArgs({
  flags,
  positionals,
}: Pick<CommandLine<typeof DEAD_LETTERS_COMMAND>, "flags" | "positionals">): DeadLettersArgs {
  const queue = positionals[0]
  if (queue === undefined) throw new UsageError("which queue? (e.g. dead-letters pgcr_exists)")
  if (!isQueueName(queue)) throw new UsageError(`unknown queue ${JSON.stringify(queue)} (known: ${QUEUE_NAMES.join(", ")})`)
  return { queue, requeue: flags.requeue, limit: flags.limit }
}

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(DEAD_LETTERS_COMMAND, (cli) => deadLetters(cli, io), toCommandIo(argv, io))
}

async function deadLetters(cli: CommandLine<typeof DEAD_LETTERS_COMMAND>, io: ToolIo): Promise<number> {
  const args = readDeadLettersArgs(cli)
  const url = cli.config.RABBITMQ_URL
  if (!url) throw new ConfigError([{ key: "RABBITMQ_URL", value: "(unset)", reason: "the dead-letter queues live in RabbitMQ" }])
  // One attempt: an unreachable broker is one line naming RABBITMQ_URL, exit 2.
  const rabbit = await waitForService(rabbitmqService({ url }), { waitSeconds: 0 })
  rabbit.on("error", () => {})
  try {
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

export const tool: Tool = { name: NAME, description: DESCRIPTION, usage: renderHelp(DEAD_LETTERS_COMMAND), run }
