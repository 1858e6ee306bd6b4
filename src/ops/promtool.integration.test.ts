/**
 * promtool and amtool on the files in ops/: the Prometheus config (with its rule file), the rules,
 * the rules' unit tests (ops/alerts.test.yml: the alerts fire, and stay quiet, on given series), and
 * Alertmanager's config. Debian's packages provide the tools (.ci/run installs them).
 */
import { describe, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { locateBinary, runCommand } from "./testing/binaries.ts"

const OPS = join(resolve(import.meta.dir, "../.."), "ops")

const promtool = locateBinary("promtool", "prometheus")
const amtool = locateBinary("amtool", "prometheus-alertmanager")

describe("promtool and amtool", () => {
  test.skipIf(promtool === null)("promtool check config (with the rules) and check rules", async () => {
    const config = await runCommand([promtool!, "check", "config", join(OPS, "prometheus.yml")])
    expect(config.output).toContain("SUCCESS")
    expect(config.code).toBe(0)
    const rulesCheck = await runCommand([promtool!, "check", "rules", join(OPS, "alerts.yml")])
    expect(rulesCheck.code).toBe(0)
  })

  test.skipIf(promtool === null)("promtool test rules: the alerts fire (and stay quiet) as ops/alerts.test.yml says", async () => {
    const result = await runCommand([promtool!, "test", "rules", join(OPS, "alerts.test.yml")])
    expect(result.output).toContain("SUCCESS")
    expect(result.code).toBe(0)
  })

  test.skipIf(amtool === null)("amtool check-config (the webhook file inlined: Debian's amtool predates webhook_url_file)", async () => {
    const text = readFileSync(join(OPS, "alertmanager/alertmanager.yml"), "utf8")
    expect(text).toContain("webhook_url_file: /run/secrets/discord_webhook_url")
    const dir = mkdtempSync(join(tmpdir(), "raidhub-am-"))
    try {
      const file = join(dir, "alertmanager.yml")
      writeFileSync(file, text.replace(/webhook_url_file: \S+/, "webhook_url: https://discord.com/api/webhooks/0/check"))
      const result = await runCommand([amtool!, "check-config", file])
      expect(result.output).toContain("SUCCESS")
      expect(result.code).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
