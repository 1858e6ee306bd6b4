/**
 * What a destination receives (pure): a Discord webhook message with one embed, or the JSON
 * document of an HTTP callback. Rendered once by subscription_match, so a retried delivery posts
 * the same bytes. Neither carries a secret: webhook tokens and signing keys stay in the database
 * and are added by subscription_delivery at send time.
 *
 * Discord limits (title 256, description 4096, field value 1024 characters) are respected by
 * truncating the roster; mentions are disabled so a display name can never ping anyone.
 */

import type { SubscriptionEvent } from "./event.ts"
import type { DestinationMatch } from "./match-rules.ts"

export interface RenderContext {
  activityName: string
  versionName: string | null
  /** Display names by membership id (core.player.bungie_name); missing = shown by id. */
  names: ReadonlyMap<string, string>
  /** Where the instance is shown (https://raidhub.io/pgcr/<id>). */
  siteUrl: string
}

export const RAIDHUB_SITE = "https://raidhub.io"
const COLOR_FLAWLESS = 0xf1c40f
const COLOR_CLEAR = 0x2ecc71
const COLOR_INCOMPLETE = 0x95a5a6
const MAX_FIELD = 1_024
const MAX_DESCRIPTION = 4_096
const MAX_TITLE = 256

export function instanceUrl(siteUrl: string, instanceId: string): string {
  return `${siteUrl}/pgcr/${instanceId}`
}

/** "1h 02m 13s" / "42m 05s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const pad = (n: number) => String(n).padStart(2, "0")
  return h > 0 ? `${h}h ${pad(m)}m ${pad(sec)}s` : `${m}m ${pad(sec)}s`
}

function outcomeOf(event: SubscriptionEvent): string {
  if (!event.completed) return "Attempt"
  if (event.flawless) return event.fresh ? "Flawless Clear" : "Flawless Checkpoint Clear"
  return event.fresh === false ? "Checkpoint Clear" : "Clear"
}

function nameOf(ctx: RenderContext, membershipId: string): string {
  return escapeMarkdown(ctx.names.get(membershipId) ?? membershipId)
}

/** Discord markdown characters in a player-chosen name are shown, not interpreted. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|>[\]()#@:]/g, (c) => `\\${c}`)
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Roster lines that fit in one field value; the rest are summarised. */
function rosterLines(event: SubscriptionEvent, match: DestinationMatch, ctx: RenderContext): string {
  const matched = new Set(match.membershipIds)
  const lines = event.players.map((p) => {
    const tags = [
      p.completed ? null : "did not finish",
      p.isFirstClear ? "first clear" : null,
      p.sherpas > 0 ? `sherpa ×${p.sherpas}` : null,
    ].filter((t) => t !== null)
    const name = matched.has(p.membershipId) ? `**${nameOf(ctx, p.membershipId)}**` : nameOf(ctx, p.membershipId)
    return tags.length > 0 ? `${name} (${tags.join(", ")})` : name
  })
  const out: string[] = []
  let length = 0
  for (const [i, line] of lines.entries()) {
    const more = `… and ${lines.length - i} more`
    if (length + line.length + 1 + more.length + 1 > MAX_FIELD) {
      out.push(more)
      break
    }
    out.push(line)
    length += line.length + 1
  }
  return out.join("\n")
}

/** "cleared" only when the run was completed and every player named in the lead finished it. */
function clearedByMatched(event: SubscriptionEvent, match: DestinationMatch): boolean {
  if (!event.completed) return false
  const named = new Set(match.membershipIds)
  return event.players.every((p) => !named.has(p.membershipId) || p.completed)
}

/** The Discord "execute webhook" body: one embed. */
export function renderDiscord(event: SubscriptionEvent, match: DestinationMatch, ctx: RenderContext): string {
  const title = truncate(`${ctx.activityName}${ctx.versionName ? ` (${ctx.versionName})` : ""}: ${outcomeOf(event)}`, MAX_TITLE)
  const firsts = event.players.filter((p) => p.isFirstClear && match.membershipIds.includes(p.membershipId))
  const lead = match.membershipIds.map((id) => nameOf(ctx, id)).join(", ")
  const description = truncate(
    [
      `${lead} ${clearedByMatched(event, match) ? "cleared" : "played"} ${escapeMarkdown(ctx.activityName)}.`,
      firsts.length > 0 ? `First clear for ${firsts.map((p) => nameOf(ctx, p.membershipId)).join(", ")}!` : null,
    ]
      .filter((l) => l !== null)
      .join("\n"),
    MAX_DESCRIPTION,
  )
  const embed = {
    title,
    url: instanceUrl(ctx.siteUrl, event.instanceId),
    description,
    color: event.completed ? (event.flawless ? COLOR_FLAWLESS : COLOR_CLEAR) : COLOR_INCOMPLETE,
    fields: [
      { name: "Fireteam", value: rosterLines(event, match, ctx) || "—", inline: false },
      { name: "Duration", value: formatDuration(event.durationSeconds), inline: true },
      { name: "Players", value: String(event.playerCount), inline: true },
    ],
    timestamp: new Date(event.dateCompleted).toISOString(),
    footer: { text: `RaidHub · instance ${event.instanceId}` },
  }
  return JSON.stringify({ username: "RaidHub", allowed_mentions: { parse: [] }, embeds: [embed] })
}

/** The HTTP callback document (docs/subscriptions.md describes it field by field). */
export function renderCallback(event: SubscriptionEvent, match: DestinationMatch, ctx: RenderContext, deliveryId: string): string {
  const matched = new Set(match.membershipIds)
  return JSON.stringify({
    type: "instance",
    deliveryId,
    destinationId: match.destinationId,
    ruleIds: match.ruleIds,
    instance: {
      instanceId: event.instanceId,
      url: instanceUrl(ctx.siteUrl, event.instanceId),
      activityId: event.activityId,
      activityName: ctx.activityName,
      versionName: ctx.versionName,
      hash: event.hash,
      completed: event.completed,
      fresh: event.fresh,
      flawless: event.flawless,
      playerCount: event.playerCount,
      dateStarted: event.dateStarted,
      dateCompleted: event.dateCompleted,
      durationSeconds: event.durationSeconds,
    },
    players: event.players.map((p) => ({
      membershipId: p.membershipId,
      membershipType: p.membershipType,
      displayName: ctx.names.get(p.membershipId) ?? null,
      completed: p.completed,
      isFirstClear: p.isFirstClear,
      sherpas: p.sherpas,
      groupIds: p.groupIds ?? null,
      matched: matched.has(p.membershipId),
    })),
  })
}
