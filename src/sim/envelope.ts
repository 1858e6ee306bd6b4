// Bungie's response envelope. Success bodies are spliced as text so a pre-rendered PGCR
// (with its `1.0` literals) is never re-serialised.

export const ERRORS = {
  Success: { code: 1, message: "Ok" },
  UnhandledException: { code: 3, message: "An error has occurred that has prevented the completion of your request." },
  SystemDisabled: { code: 5, message: "This system is temporarily disabled for maintenance." },
  ParameterParseFailure: { code: 7, message: "Unable to parse your parameters.  Please correct them, and try again." },
  InsufficientPrivileges: { code: 12, message: "You do not have the privileges required to access this resource." },
  InvalidParameters: { code: 18, message: "The input parameters were invalid, please enter valid input, and try again." },
  PerEndpointRequestThrottleExceeded: { code: 51, message: "Too many platform requests per second." },
  GroupNotFound: { code: 686, message: "The group was not found." },
  DestinyAccountNotFound: {
    code: 1601,
    message: "We were unable to find your Destiny account information.  If you have a valid Destiny Account, let us know.",
  },
  DestinyCharacterNotFound: { code: 1620, message: "The Destiny character you were looking for was not found." },
  DestinyPGCRNotFound: { code: 1653, message: "The activity you were looking for was not found." },
  DestinyPrivacyRestriction: { code: 1665, message: "This user has chosen to restrict access to this data." },
  DestinyThrottledByGameServer: { code: 1672, message: "This request was throttled by the game server. Please try again later." },
  ApiKeyMissingFromRequest: { code: 2102, message: "Please provide a valid API key with this request." },
} as const

export type ErrorStatus = keyof typeof ERRORS

/** A handler's answer before transport concerns (status mapping, faults, latency). */
export type ApiResult =
  | { kind: "ok"; json: string }
  | { kind: "error"; status: ErrorStatus; messageData?: Record<string, string>; throttleSeconds?: number; message?: string }
  | { kind: "raw"; httpStatus: number; body: string | Uint8Array; contentType: string; label: string }

export function okJson(value: unknown): ApiResult {
  return { kind: "ok", json: JSON.stringify(value) }
}

export function errorResult(status: ErrorStatus, messageData?: Record<string, string>): ApiResult {
  return messageData ? { kind: "error", status, messageData } : { kind: "error", status }
}

export function renderSuccess(responseJson: string): string {
  return `{"Response":${responseJson},"ErrorCode":1,"ThrottleSeconds":0,"ErrorStatus":"Success","Message":"Ok","MessageData":{}}`
}

export function renderError(status: ErrorStatus, messageData: Record<string, string> = {}, throttleSeconds = 0, message?: string): string {
  const e = ERRORS[status]
  return JSON.stringify({
    ErrorCode: e.code,
    ThrottleSeconds: throttleSeconds,
    ErrorStatus: status,
    Message: message ?? e.message,
    MessageData: messageData,
  })
}
