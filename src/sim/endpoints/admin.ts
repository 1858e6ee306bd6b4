// /__sim/truth, /__sim/stats, /__sim/control — never throttled, never delayed, no API key.
import { applyControlPatch, parseControlBody } from "../controls.ts"
import type { SimState } from "../state.ts"
import type { SimStats } from "../stats.ts"
import type { SimTruth } from "../truth.ts"

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json; charset=utf-8" } })

export async function handleAdmin(
  req: Request,
  url: URL,
  deps: { state: SimState; truth: SimTruth; stats: SimStats; onChange: () => void },
): Promise<Response> {
  try {
    switch (url.pathname.replace(/\/$/, "")) {
      case "/__sim/truth": {
        const from = url.searchParams.get("from")
        const to = url.searchParams.get("to")
        const frontier = deps.truth.frontier()
        if (from === null || to === null) return json({ frontier, ids: [] })
        return json({ frontier, from, to, ids: deps.truth.range(from, to) })
      }
      case "/__sim/stats":
        if (req.method === "DELETE") {
          deps.stats.reset()
          return json({ reset: true })
        }
        return json(deps.truth.stats())
      case "/__sim/control": {
        if (req.method === "GET") return json(configView(deps.state))
        if (req.method !== "POST") return json({ error: "use GET or POST" }, 405)
        applyControlPatch(deps.state.config, parseControlBody(await req.text()))
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
