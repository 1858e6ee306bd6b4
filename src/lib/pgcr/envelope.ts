/**
 * Bungie wraps every answer in `{ Response, ErrorCode, ErrorStatus, Message, ... }`. Tools and
 * fixtures hold either that envelope or the bare `Response`; this returns the PGCR body or says
 * why there is none (an error envelope such as 1653 DestinyPGCRNotFound).
 */
import { isObject } from "./fields.ts"

export type UnwrappedPgcr = { kind: "ok"; body: unknown } | { kind: "error"; reason: string }

export function unwrapPgcrEnvelope(json: unknown): UnwrappedPgcr {
  if (!isObject(json)) return { kind: "ok", body: json }
  const looksLikeEnvelope = "ErrorCode" in json || "Response" in json
  if (!looksLikeEnvelope) return { kind: "ok", body: json }
  const code = json.ErrorCode
  if (code !== undefined && code !== 1) {
    const status = typeof json.ErrorStatus === "string" ? ` ${json.ErrorStatus}` : ""
    const message = typeof json.Message === "string" ? `: ${json.Message}` : ""
    return { kind: "error", reason: `Bungie error envelope, ErrorCode ${String(code)}${status}${message}` }
  }
  if (json.Response === undefined || json.Response === null) {
    return { kind: "error", reason: "envelope has no Response" }
  }
  return { kind: "ok", body: json.Response }
}
