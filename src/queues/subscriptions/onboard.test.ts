import { expect, test } from "bun:test"
import { parseDiscordWebhookUrl } from "./onboard.ts"

const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-tok"

test("a Discord webhook URL yields its id and token; anything else is refused", () => {
  expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/1122334455/${TOKEN}`)).toEqual({ webhookId: "1122334455", token: TOKEN })
  expect(parseDiscordWebhookUrl(`https://discordapp.com/api/v10/webhooks/1/${TOKEN}/`)).toEqual({ webhookId: "1", token: TOKEN })
  expect(parseDiscordWebhookUrl(`http://discord.com/api/webhooks/1/${TOKEN}`)).toBeNull()
  expect(parseDiscordWebhookUrl(`https://discord.com.evil.test/api/webhooks/1/${TOKEN}`)).toBeNull()
  expect(parseDiscordWebhookUrl("https://discord.com/api/webhooks/1/short")).toBeNull()
  expect(parseDiscordWebhookUrl(`https://discord.com/api/webhooks/x/${TOKEN}`)).toBeNull()
  expect(parseDiscordWebhookUrl("not a url")).toBeNull()
})
