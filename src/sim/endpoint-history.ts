// GET /Platform/Destiny2/{type}/Account/{id}/Character/{cid}/Stats/Activities/?mode=4&count=250&page=N
// Newest first, from the same rendered PGCRs the PGCR endpoint serves (values identical).
import { stringifyBungie } from "./bungie-json.ts"
import type { RequestContext } from "./endpoint-context.ts"
import { resolveMember } from "./endpoint-members.ts"
import { type ApiResult, errorResult, okJson } from "./envelope.ts"

const MODE_NAMES: Record<string, number> = { raid: 4, none: 0, story: 2 }

export function handleActivityHistory(ctx: RequestContext): ApiResult {
  const found = resolveMember(ctx, ctx.params[0]!, ctx.params[1]!)
  if (!found.ok) return found.result
  const player = found.player
  const character = player.characters.find((c) => c.characterId === ctx.params[2])
  if (!character) return errorResult("DestinyCharacterNotFound")
  if (player.isPrivate) return errorResult("DestinyPrivacyRestriction")
  const q = ctx.url.searchParams
  const count = Math.min(250, Math.max(1, Number(q.get("count") ?? 25) || 25))
  const page = Math.max(0, Number(q.get("page") ?? 0) || 0)
  const modeText = (q.get("mode") ?? "0").toLowerCase()
  const mode = MODE_NAMES[modeText] ?? Number(modeText)
  // Only mode-4 instances (raids, Pantheon) are modelled; other modes list nothing.
  if (mode !== 0 && mode !== 4 && mode !== 7) return okJson({})
  const ids = ctx.history.instancesOf(player.index, character.index, ctx.nowMs).slice(page * count, page * count + count)
  if (ids.length === 0) return okJson({}) // Bungie answers an empty object past the last page
  const activities = ids.map((id) => {
    const facts = ctx.state.world.facts(id, ctx.nowMs)
    const plan = ctx.state.planFor(facts)
    const body = ctx.state.renderFor(plan, true).body
    const entry = (body.entries as any[]).find((e) => e.characterId === character.characterId)
    return { period: body.period, activityDetails: body.activityDetails, values: entry?.values ?? {} }
  })
  // Stat values must keep Bungie's `1.0` literals: serialise like a PGCR.
  return { kind: "ok", json: stringifyBungie({ activities }) }
}
