/**
 * Creating a destination and its rules the way the public API does (subscription-onboard): a
 * destination row with only its channel type, its channel config, then per target an active rule
 * inserted when none exists for (target, destination), else updated in place. An existing
 * destination (same Discord webhook id, same callback URL) is reused, and reactivated with its
 * failure count reset if it had been deactivated.
 */
import type { AnyTx } from "../../lib/database/sql-types.ts"
import type { ChannelType } from "./event.ts"
import { generateSigningSecret } from "./sign.ts"

export interface DiscordWebhook {
  webhookId: string
  token: string
}

const DISCORD_HOSTS = new Set(["discord.com", "discordapp.com", "canary.discord.com", "ptb.discord.com"])

/** Id and token of a Discord webhook URL (https://discord.com/api[/v10]/webhooks/<id>/<token>); null if it is not one. */
export function parseDiscordWebhookUrl(text: string): DiscordWebhook | null {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return null
  }
  if (url.protocol !== "https:" || !DISCORD_HOSTS.has(url.hostname)) return null
  const m = /^\/api(?:\/v\d+)?\/webhooks\/(\d{1,20})\/([A-Za-z0-9_-]{20,200})\/?$/.exec(url.pathname)
  return m ? { webhookId: m[1]!, token: m[2]! } : null
}

export type OnboardTarget = { kind: "discord"; webhook: DiscordWebhook } | { kind: "callback"; url: string }

export interface OnboardRequest {
  target: OnboardTarget
  membershipIds: readonly string[]
  groupIds: readonly string[]
  requireFresh: boolean
  requireCompleted: boolean
  activityRaidBitmap: bigint
}

export interface OnboardReport {
  destinationId: string
  channelType: ChannelType
  destination: "created" | "reused" | "reactivated"
  rules: { scope: "player" | "clan"; target: string; ruleId: string; action: "created" | "updated" }[]
  /** A newly generated callback signing secret (shown once); null otherwise. */
  newSigningSecret: string | null
}

export async function onboard(tx: AnyTx, request: OnboardRequest): Promise<OnboardReport> {
  const channelType: ChannelType = request.target.kind === "discord" ? "discord_webhook" : "http_callback"
  const existing = await findDestination(tx, request.target)
  let destinationId: string
  let destination: OnboardReport["destination"]
  let newSigningSecret: string | null = null
  if (existing) {
    destinationId = existing.id
    destination = existing.is_active ? "reused" : "reactivated"
    await tx.unsafe(
      `update subscriptions.destination set is_active = true, consecutive_delivery_failures = 0, deactivated_at = null,
         deactivation_reason = null, updated_at = now() where id = $1::bigint and not is_active`,
      [destinationId],
    )
    if (request.target.kind === "discord") {
      await tx.unsafe(
        "update subscriptions.discord_destination_config set webhook_token = $2, updated_at = now() where destination_id = $1::bigint",
        [destinationId, request.target.webhook.token],
      )
    } else if (existing.signing_secret === null) {
      newSigningSecret = generateSigningSecret()
      await tx.unsafe("update subscriptions.http_callback_destination_config set signing_secret = $2 where destination_id = $1::bigint", [
        destinationId,
        newSigningSecret,
      ])
    }
  } else {
    const [row] = await tx.unsafe<{ id: string }[]>(
      "insert into subscriptions.destination (channel_type) values ($1) returning id::text as id",
      [channelType],
    )
    destinationId = row!.id
    destination = "created"
    if (request.target.kind === "discord") {
      await tx.unsafe(
        "insert into subscriptions.discord_destination_config (destination_id, webhook_id, webhook_token) values ($1::bigint, $2, $3)",
        [destinationId, request.target.webhook.webhookId, request.target.webhook.token],
      )
    } else {
      newSigningSecret = generateSigningSecret()
      await tx.unsafe(
        "insert into subscriptions.http_callback_destination_config (destination_id, callback_url, signing_secret) values ($1::bigint, $2, $3)",
        [destinationId, request.target.url, newSigningSecret],
      )
    }
  }
  const rules: OnboardReport["rules"] = []
  const targets = [
    ...request.membershipIds.map((id) => ({ scope: "player" as const, id })),
    ...request.groupIds.map((id) => ({ scope: "clan" as const, id })),
  ]
  for (const t of targets) {
    const column = t.scope === "player" ? "membership_id" : "group_id"
    const params = [destinationId, t.id, request.requireFresh, request.requireCompleted, request.activityRaidBitmap.toString()]
    const [updated] = await tx.unsafe<{ id: string }[]>(
      `update subscriptions.rule set require_fresh = $3, require_completed = $4, activity_raid_bitmap = $5::bigint, updated_at = now()
       where destination_id = $1::bigint and ${column} = $2::bigint and is_active returning id::text as id`,
      params,
    )
    if (updated) {
      rules.push({ scope: t.scope, target: t.id, ruleId: updated.id, action: "updated" })
      continue
    }
    const [created] = await tx.unsafe<{ id: string }[]>(
      `insert into subscriptions.rule (destination_id, scope, ${column}, require_fresh, require_completed, activity_raid_bitmap)
       values ($1::bigint, '${t.scope}', $2::bigint, $3, $4, $5::bigint) returning id::text as id`,
      params,
    )
    rules.push({ scope: t.scope, target: t.id, ruleId: created!.id, action: "created" })
  }
  return { destinationId, channelType, destination, rules, newSigningSecret }
}

async function findDestination(
  tx: AnyTx,
  target: OnboardTarget,
): Promise<{ id: string; is_active: boolean; signing_secret: string | null } | undefined> {
  if (target.kind === "discord") {
    const [row] = await tx.unsafe<{ id: string; is_active: boolean }[]>(
      `select d.id::text as id, d.is_active from subscriptions.destination d
       join subscriptions.discord_destination_config c on c.destination_id = d.id
       where c.webhook_id = $1 order by d.is_active desc, d.id limit 1`,
      [target.webhook.webhookId],
    )
    return row ? { ...row, signing_secret: null } : undefined
  }
  const [row] = await tx.unsafe<{ id: string; is_active: boolean; signing_secret: string | null }[]>(
    `select d.id::text as id, d.is_active, c.signing_secret from subscriptions.destination d
     join subscriptions.http_callback_destination_config c on c.destination_id = d.id where c.callback_url = $1`,
    [target.url],
  )
  return row
}
