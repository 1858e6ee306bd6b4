/**
 * `bun run tool replay-subscription-instance <instanceId> [--dry-run]`
 *
 * Re-injects a stored instance into the subscription pipeline: its event as it stands now goes
 * to instance_participant_refresh as an outbox row (the relay publishes it), marked with a new
 * replay id, so every destination its rules select receives it again, once (a replay has its own
 * delivery ids). --dry-run prints the event and the destinations it would reach, with clans from
 * our clan tables only (no Bungie call), and writes nothing.
 *
 * Exit codes: 0 done, 1 the instance is not stored, 2 bad usage or an unreachable database.
 */
import { randomBytes } from "node:crypto"
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { loadSubscriptionEvent } from "../lib/database/instance-store-outbox.ts"
import type { AnySql } from "../lib/database/sql-types.ts"
import { TOPICS } from "../lib/messaging/outbox-topics.ts"
import { decodeJsonObject } from "../lib/messaging/wire-format.ts"
import { createClanLookup } from "../queues/subscriptions/clan-lookup.ts"
import { decodeSubscriptionEvent } from "../queues/subscriptions/event.ts"
import { matchRules } from "../queues/subscriptions/match-rules.ts"
import { loadRules } from "../queues/subscriptions/subscription-match.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"
import { openToolPostgres } from "./tool-connections.ts"

const NAME = "replay-subscription-instance"
const DESCRIPTION = "Re-inject a stored instance into the subscription pipeline (its destinations receive it again, once)."

const REPLAY_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} <instanceId> [--dry-run] [flags]`,
  summary:
    "Queues the instance's subscription event (as stored now) to instance_participant_refresh through the outbox, with a new " +
    "replay id: the destinations its active rules select receive it again, each once.",
  sections: ["shared"],
  flags: {
    dryRun: {
      type: "boolean",
      default: false,
      description: "Print the event and the destinations it would reach (clans from our tables); queue nothing.",
    },
  },
  positionals: { name: "instanceId", description: "A stored instance id.", max: 1 },
} as const satisfies CommandSpec

export function readReplayArgs({ positionals, flags }: Pick<CommandLine<typeof REPLAY_COMMAND>, "positionals" | "flags">): {
  instanceId: string
  dryRun: boolean
} {
  const instanceId = positionals[0]
  if (instanceId === undefined) throw new UsageError("which instance? (e.g. replay-subscription-instance 17091392013)")
  if (!/^[1-9][0-9]{0,18}$/.test(instanceId)) throw new UsageError(`not an instance id: ${JSON.stringify(instanceId)}`)
  return { instanceId, dryRun: flags.dryRun }
}

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(REPLAY_COMMAND, (cli) => replay(cli, io), toCommandIo(argv, io))
}

async function replay(cli: CommandLine<typeof REPLAY_COMMAND>, io: ToolIo): Promise<number> {
  const args = readReplayArgs(cli)
  const pg = await openToolPostgres(NAME, cli.config)
  try {
    const body = await loadSubscriptionEvent(pg.sql, args.instanceId)
    if (body === null) {
      io.err(`${NAME}: instance ${args.instanceId} is not stored`)
      return 1
    }
    if (args.dryRun) return await preview(pg.sql, body, io)
    const replayId = `r${Date.now().toString(36)}${randomBytes(3).toString("hex")}`
    const event = JSON.stringify({ ...JSON.parse(body), replayId })
    await pg.sql.unsafe("insert into crawl.outbox (topic, payload) values ($1, convert_to($2, 'UTF8'))", [
      TOPICS.instanceParticipantRefresh,
      event,
    ])
    io.out(`queued replay ${replayId} of instance ${args.instanceId} (outbox → instance_participant_refresh)`)
    return 0
  } finally {
    await pg.close()
  }
}

async function preview(sql: AnySql, body: string, io: ToolIo): Promise<number> {
  io.out(body)
  const object = decodeJsonObject(new TextEncoder().encode(body))
  const decoded = object.ok ? decodeSubscriptionEvent(object.value) : object
  if (!decoded.ok) throw new Error(`the stored event does not decode: ${decoded.reason}`)
  const event = decoded.value
  const clans = await createClanLookup({ sql, bungie: null }).resolve(event.players)
  for (const p of event.players) p.groupIds = clans.groups.get(p.membershipId) ?? null
  const rules = await loadRules(
    sql,
    event.players.map((p) => p.membershipId),
    [...new Set(event.players.flatMap((p) => p.groupIds ?? []))],
  )
  const privateRows = await sql.unsafe<{ id: string }[]>(
    "select membership_id::text as id from core.player where is_private and membership_id = any($1::bigint[])",
    [event.players.map((p) => p.membershipId)],
  )
  const matches = matchRules(event, rules, new Set(privateRows.map((r) => r.id)))
  for (const m of matches)
    io.out(
      `would reach destination ${m.destinationId} (${m.channelType}): rules ${m.ruleIds.join(", ")}; players ${m.membershipIds.join(", ")}`,
    )
  io.out(`dry run: ${matches.length} destination${matches.length === 1 ? "" : "s"} (clans from our tables only); nothing queued`)
  return 0
}

export const tool: Tool = { name: NAME, description: DESCRIPTION, usage: renderHelp(REPLAY_COMMAND), run }
