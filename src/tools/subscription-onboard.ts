/**
 * `bun run tool subscription-onboard (--webhook-url URL | --http-callback-url URL)
 *    [--player-membership-id ID]... [--clan-group-id ID]... [--require-fresh] [--require-completed]
 *    [--activity-raid-bitmap N] [--dry-run]`
 *
 * Subscribes a Discord channel (its webhook URL) or an HTTP endpoint to raids of players and/or
 * clans, writing the same rows the public API writes (onboard.ts). One transaction; --dry-run
 * rolls it back after printing what it would do. The webhook token is stored, never printed; a
 * new callback's signing secret is printed once, since the receiver needs it to verify
 * X-RaidHub-Signature (docs/subscriptions.md).
 *
 * Exit codes: 0 done, 2 bad usage or an unreachable database.
 */
import type { CommandLine } from "../lib/cli/parse-command-line.ts"
import { renderHelp } from "../lib/cli/render-help.ts"
import { runCommand } from "../lib/cli/run-main.ts"
import { UsageError } from "../lib/cli/usage-error.ts"
import type { CommandSpec } from "../lib/config/command-spec.ts"
import { type OnboardReport, type OnboardRequest, onboard, parseDiscordWebhookUrl } from "../queues/subscriptions/onboard.ts"
import { type Tool, type ToolIo, toCommandIo } from "./tool.ts"
import { openToolPostgres } from "./tool-connections.ts"

const NAME = "subscription-onboard"
const DESCRIPTION = "Subscribe a Discord webhook or an HTTP callback to raids of players and/or clans (the public API's rows)."
const ID = /^[1-9][0-9]{0,18}$/
const MAX_BITMAP = 2 ** 34 - 1

const ONBOARD_COMMAND = {
  name: NAME,
  usage: `bun run tool ${NAME} (--webhook-url URL | --http-callback-url URL) [--player-membership-id ID]... [--clan-group-id ID]... [flags]`,
  summary:
    "Creates (or reuses, reactivating it if needed) a subscription destination and one active rule per player and clan given, " +
    "as the public API does; existing rules of the destination for the same player or clan get the new gates.",
  sections: ["shared"],
  flags: {
    webhookUrl: { type: "string", default: null, description: "A Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)." },
    httpCallbackUrl: {
      type: "url",
      default: null,
      protocols: ["http:", "https:"],
      description: "An HTTP endpoint that receives JSON POSTs.",
    },
    playerMembershipId: {
      type: "list",
      default: [],
      pattern: ID,
      patternHint: "membership ids",
      description: "A player to follow (repeatable).",
    },
    clanGroupId: { type: "list", default: [], pattern: ID, patternHint: "group ids", description: "A clan to follow (repeatable)." },
    requireFresh: { type: "boolean", default: false, description: "Only fresh (from the start) runs." },
    requireCompleted: { type: "boolean", default: false, description: "Only completed runs." },
    activityRaidBitmap: {
      type: "int",
      default: 0,
      min: 0,
      max: MAX_BITMAP,
      description: "0 = every raid; else the OR of 2^activityId (raids 1..32) and 2^33 for Pantheon (activity 101).",
    },
    dryRun: { type: "boolean", default: false, description: "Print what would be written; write nothing." },
  },
  notes:
    "Example: bun run tool subscription-onboard --webhook-url https://discord.com/api/webhooks/123/abc… --clan-group-id 4242 --require-completed",
} as const satisfies CommandSpec

type OnboardCommandLine = CommandLine<typeof ONBOARD_COMMAND>

/** The request from the parsed command line; throws UsageError (never echoing the webhook URL: it holds a token). */
export function readOnboardArgs({ flags }: Pick<OnboardCommandLine, "flags">): OnboardRequest & { dryRun: boolean } {
  if ((flags.webhookUrl === null) === (flags.httpCallbackUrl === null))
    throw new UsageError("give exactly one of --webhook-url and --http-callback-url")
  let target: OnboardRequest["target"]
  if (flags.webhookUrl !== null) {
    const webhook = parseDiscordWebhookUrl(flags.webhookUrl)
    if (!webhook) throw new UsageError("--webhook-url is not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)")
    target = { kind: "discord", webhook }
  } else {
    target = { kind: "callback", url: flags.httpCallbackUrl! }
  }
  if (flags.playerMembershipId.length + flags.clanGroupId.length === 0) {
    throw new UsageError("give at least one --player-membership-id or --clan-group-id")
  }
  return {
    target,
    membershipIds: [...new Set(flags.playerMembershipId)],
    groupIds: [...new Set(flags.clanGroupId)],
    requireFresh: flags.requireFresh,
    requireCompleted: flags.requireCompleted,
    activityRaidBitmap: BigInt(flags.activityRaidBitmap ?? 0),
    dryRun: flags.dryRun,
  }
}

class Rollback extends Error {}

function run(argv: readonly string[], io: ToolIo): Promise<number> {
  return runCommand(ONBOARD_COMMAND, (cli) => runOnboard(cli, io), toCommandIo(argv, io))
}

async function runOnboard(cli: OnboardCommandLine, io: ToolIo): Promise<number> {
  const args = readOnboardArgs(cli)
  const pg = await openToolPostgres(NAME, cli.config)
  try {
    let report: OnboardReport | null = null
    try {
      await pg.sql.begin(async (tx) => {
        report = await onboard(tx, args)
        if (args.dryRun) throw new Rollback()
      })
    } catch (error) {
      if (!(error instanceof Rollback)) throw error
    }
    printReport(report!, args.dryRun, io)
    return 0
  } finally {
    await pg.close()
  }
}

function printReport(r: OnboardReport, dryRun: boolean, io: ToolIo): void {
  const would = dryRun ? "would be " : ""
  io.out(`destination ${dryRun && r.destination === "created" ? "(new)" : r.destinationId} (${r.channelType}) ${would}${r.destination}`)
  for (const rule of r.rules)
    io.out(`rule ${dryRun && rule.action === "created" ? "(new)" : rule.ruleId}: ${rule.scope} ${rule.target} ${would}${rule.action}`)
  if (r.newSigningSecret !== null && !dryRun) {
    io.out(`signing secret (shown once; verify X-RaidHub-Signature with it, docs/subscriptions.md): ${r.newSigningSecret}`)
  }
  if (dryRun) io.out("dry run: nothing written")
}

export const tool: Tool = { name: NAME, description: DESCRIPTION, usage: renderHelp(ONBOARD_COMMAND), run }
