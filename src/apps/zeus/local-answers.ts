/**
 * The answers zeus makes up itself, shaped like Bungie's (an envelope with ErrorCode,
 * ErrorStatus and Message) so any Bungie client reads them, and marked with `x-zeus-local` so
 * ours can tell them from Bungie's (src/lib/bungie/zeus-protocol.ts).
 */
import { ErrorCode } from "../../lib/bungie/error-codes.ts"
import { ZEUS_LOCAL_ERROR_CODE, ZEUS_LOCAL_HEADER, type ZeusLocalStatus } from "../../lib/bungie/zeus-protocol.ts"

export type LocalAnswer = ZeusLocalStatus | "SystemDisabled"

const STATUS: Record<LocalAnswer, number> = {
  ZeusQueueTimeout: 503,
  ZeusQueueFull: 503,
  ZeusShuttingDown: 503,
  ZeusUpstreamError: 502,
  SystemDisabled: 503,
}

const MESSAGES: Record<LocalAnswer, string> = {
  ZeusQueueTimeout: "Zeus could not send this request to Bungie before its deadline; Bungie was not asked. Try again later.",
  ZeusQueueFull: "Zeus's queue is full and this caller has the longest backlog; Bungie was not asked. Try again later.",
  ZeusShuttingDown: "Zeus is shutting down; Bungie was not asked. Try again.",
  ZeusUpstreamError: "Zeus could not reach Bungie.",
  SystemDisabled:
    "This system is temporarily disabled for maintenance. (Answered by zeus: Bungie reported maintenance; zeus resumes when Settings says Destiny 2 is back.)",
}

/** A local answer; `details` go to MessageData (strings, as Bungie's). */
export function buildLocalAnswer(answer: LocalAnswer, details: Record<string, string> = {}, method = "GET"): Response {
  const body = {
    ErrorCode: answer === "SystemDisabled" ? ErrorCode.SystemDisabled : ZEUS_LOCAL_ERROR_CODE,
    ThrottleSeconds: 0,
    ErrorStatus: answer,
    Message: MESSAGES[answer],
    MessageData: details,
  }
  return new Response(method === "HEAD" ? null : JSON.stringify(body), {
    status: STATUS[answer],
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", [ZEUS_LOCAL_HEADER]: answer },
  })
}

/** Plain refusals that are not Bungie's business (wrong caller, wrong path, wrong method). */
export function buildRefusal(status: 403 | 404 | 405 | 413, message: string): Response {
  return new Response(`zeus: ${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  })
}
