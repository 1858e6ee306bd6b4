/**
 * Authenticating an HTTP callback to its receiver (pure):
 *
 *   X-RaidHub-Signature: v1=<hex HMAC-SHA256(signing secret, "<timestamp>.<body>")>
 *   X-RaidHub-Timestamp: <unix seconds>      (receivers reject old timestamps: no replays)
 *   X-RaidHub-Key: <deployment key>          (the original's header, when configured)
 *
 * The per-destination signing secret never leaves the process except as a MAC; the deployment
 * key is sent as is (the original's scheme, for receivers built for it).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"

export const SIGNATURE_HEADER = "X-RaidHub-Signature"
export const TIMESTAMP_HEADER = "X-RaidHub-Timestamp"
export const KEY_HEADER = "X-RaidHub-Key"
export const DELIVERY_HEADER = "X-RaidHub-Delivery"

export function signCallback(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")}`
}

/** What a receiver does (docs/subscriptions.md; used by the tests' receiver). */
export function verifyCallback(secret: string, timestampHeader: string, signatureHeader: string, body: string): boolean {
  const ts = Number(timestampHeader)
  if (!Number.isSafeInteger(ts)) return false
  const expected = Buffer.from(signCallback(secret, ts, body))
  const given = Buffer.from(signatureHeader)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** A new signing secret (subscription-onboard): 32 random bytes, hex. */
export function generateSigningSecret(): string {
  return randomBytes(32).toString("hex")
}

export interface CallbackAuth {
  signingSecret: string | null
  deploymentKey: string | null
}

/** Headers of one callback POST. */
export function callbackHeaders(auth: CallbackAuth, deliveryId: string, body: string, nowMs: number): Record<string, string> {
  const headers: Record<string, string> = { "Content-Type": "application/json", [DELIVERY_HEADER]: deliveryId }
  if (auth.signingSecret) {
    const ts = Math.floor(nowMs / 1000)
    headers[TIMESTAMP_HEADER] = String(ts)
    headers[SIGNATURE_HEADER] = signCallback(auth.signingSecret, ts, body)
  }
  if (auth.deploymentKey) headers[KEY_HEADER] = auth.deploymentKey
  return headers
}
