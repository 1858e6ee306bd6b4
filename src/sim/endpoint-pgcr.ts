// GET /Platform/Destiny2/Stats/PostGameCarnageReport/{id}/

import type { RequestContext } from "./endpoint-context.ts"
import { type ApiResult, errorResult } from "./envelope.ts"

export function handlePgcr(ctx: RequestContext): ApiResult {
  const raw = ctx.params[0] ?? ""
  if (!/^\d{1,19}$/.test(raw) || BigInt(raw) > 9223372036854775807n) return errorResult("ParameterParseFailure")
  const id = BigInt(raw)
  // Ids past 2^53 can't exist in this world (and never will in Destiny's lifetime).
  if (id === 0n || id > BigInt(Number.MAX_SAFE_INTEGER)) return errorResult("DestinyPGCRNotFound")
  const found = ctx.state.lookupPgcr(Number(id), ctx.nowMs)
  if (found.kind === "notFound") return errorResult("DestinyPGCRNotFound")
  if (found.kind === "floodgated") return errorResult("InsufficientPrivileges")
  return { kind: "ok", json: found.json }
}
