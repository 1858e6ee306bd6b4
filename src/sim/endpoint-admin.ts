// /__sim/truth..., /__sim/stats, /__sim/control — never throttled, never delayed, no API key.
import { parseControlBody } from "./controls.ts"
import type { SimState } from "./state.ts"
import type { SimStats } from "./stats.ts"
import type { PlayerFilter, SimTruth } from "./truth.ts"

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json; charset=utf-8" } })

/** Query parameters of /__sim/truth/players, typed (numbers and booleans). */
function playerFilter(q: URLSearchParams): PlayerFilter {
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined)
  const bool = (k: string) => (q.has(k) ? q.get(k) === "true" : undefined)
  const filter: PlayerFilter = {}
  for (const k of ["limit", "minInstances", "maxInstances", "maxAgeDays", "minAgeDays"] as const) {
    const v = num(k)
    if (v !== undefined) filter[k] = v
  }
  for (const k of ["private", "unknown", "regular", "inClan", "exists"] as const) {
    const v = bool(k)
    if (v !== undefined) filter[k] = v
  }
  return filter
}

export async function handleAdmin(
  req: Request,
  url: URL,
  deps: { state: SimState; truth: SimTruth; stats: SimStats; onChange: () => void; now: () => number },
): Promise<Response> {
  const q = url.searchParams
  const need = (k: string) => {
    const v = q.get(k)
    if (v === null) throw new Error(`missing query parameter '${k}'`)
    return v
  }
  try {
    switch (url.pathname.replace(/\/$/, "")) {
      case "/__sim/truth": {
        const from = q.get("from")
        const to = q.get("to")
        const frontier = deps.truth.frontier()
        if (from === null || to === null) return json({ frontier, ids: [] })
        return json({ frontier, from, to, ids: deps.truth.range(from, to) })
      }
      case "/__sim/truth/player": {
        const player = deps.truth.player(need("membershipId"))
        return player ? json(player) : json({ error: "not in the player pool" }, 404)
      }
      case "/__sim/truth/players":
        return json(deps.truth.findPlayers(playerFilter(q)))
      case "/__sim/truth/clan": {
        const clan = deps.truth.clan(need("groupId"))
        return clan ? json(clan) : json({ error: "no such group" }, 404)
      }
      case "/__sim/truth/clans": {
        const filter: { deleted?: boolean; minMembers?: number; limit?: number } = {}
        if (q.has("deleted")) filter.deleted = q.get("deleted") === "true"
        if (q.has("minMembers")) filter.minMembers = Number(q.get("minMembers"))
        if (q.has("limit")) filter.limit = Number(q.get("limit"))
        return json(deps.truth.findClans(filter))
      }
      case "/__sim/truth/floodgates":
        return json(deps.truth.floodgates())
      case "/__sim/truth/races":
        return json(deps.truth.raceWindows())
      case "/__sim/stats":
        if (req.method === "DELETE") {
          deps.stats.reset()
          return json({ reset: true })
        }
        return json(deps.truth.stats())
      case "/__sim/control": {
        if (req.method === "GET") return json(configView(deps.state))
        if (req.method !== "POST") return json({ error: "use GET or POST" }, 405)
        deps.state.applyControl(parseControlBody(await req.text()), deps.now())
        deps.onChange()
        return json(configView(deps.state))
      }
      default:
        return json({ error: `unknown sim path ${url.pathname}` }, 404)
    }
  } catch (error) {
    return json({ error: error instanceof Error ? error.message : String(error) }, 400)
  }
}

/** Config as JSON (bigints as strings). */
export function configView(state: SimState): unknown {
  return JSON.parse(JSON.stringify(state.config, (_k, v) => (typeof v === "bigint" ? v.toString() : v)))
}
