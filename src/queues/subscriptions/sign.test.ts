import { expect, test } from "bun:test"
import { createHmac } from "node:crypto"
import { callbackHeaders, generateSigningSecret, signCallback, verifyCallback } from "./sign.ts"

test("the signature is HMAC-SHA256 over '<timestamp>.<body>' and verifies; any change breaks it", () => {
  const secret = "s3cr3t-signing-key"
  const body = '{"type":"instance"}'
  const sig = signCallback(secret, 1_700_000_000, body)
  expect(sig).toBe(`v1=${createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex")}`)
  expect(verifyCallback(secret, "1700000000", sig, body)).toBe(true)
  expect(verifyCallback(secret, "1700000001", sig, body)).toBe(false)
  expect(verifyCallback(secret, "1700000000", sig, `${body} `)).toBe(false)
  expect(verifyCallback("other", "1700000000", sig, body)).toBe(false)
})

test("headers: the delivery id always; signature with a signing secret; key with a deployment key; the secret itself never", () => {
  const secret = generateSigningSecret()
  expect(secret).toMatch(/^[0-9a-f]{64}$/)
  const h = callbackHeaders({ signingSecret: secret, deploymentKey: null }, "1.2", "{}", 1_700_000_000_500)
  expect(h["X-RaidHub-Delivery"]).toBe("1.2")
  expect(h["X-RaidHub-Timestamp"]).toBe("1700000000")
  expect(verifyCallback(secret, h["X-RaidHub-Timestamp"]!, h["X-RaidHub-Signature"]!, "{}")).toBe(true)
  expect(JSON.stringify(h)).not.toContain(secret)
  expect(h["X-RaidHub-Key"]).toBeUndefined()
  const keyed = callbackHeaders({ signingSecret: null, deploymentKey: "deploy-key" }, "1.2", "{}", 0)
  expect(keyed["X-RaidHub-Key"]).toBe("deploy-key")
  expect(keyed["X-RaidHub-Signature"]).toBeUndefined()
})
