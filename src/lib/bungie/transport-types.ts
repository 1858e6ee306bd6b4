/** What one HTTP exchange produced: shared by the transport (producer) and classification (consumer). */

export interface TransportResponse {
  kind: "response"
  status: number
  /** Lower-cased header names. */
  headers: Record<string, string>
  body: Uint8Array
  latencyMs: number
}

export type NetworkErrorCode = "timeout" | "refused" | "reset" | "dns" | "tls" | "other"

export interface TransportNetworkError {
  kind: "networkError"
  code: NetworkErrorCode
  /** Human-readable, never contains the API key or request headers. */
  message: string
  latencyMs: number
}

export type TransportOutcome = TransportResponse | TransportNetworkError
