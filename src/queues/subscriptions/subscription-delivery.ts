/**
 * subscription_delivery: POSTs one rendered body to its destination, a Discord webhook
 * (`<discord api>/webhooks/<id>/<token>`) or an HTTP callback (signed, sign.ts), and records the
 * outcome on the delivery row and the destination.
 *
 * Exactly once in effect. The delivery row (subscriptions.delivery, written by subscription_match)
 * is claimed (pending → sending) in a committed statement before the POST, and settled after it
 * under the same claim token:
 *   - a redelivered message whose row is `sent` (or otherwise settled) posts nothing;
 *   - one whose row is still `sending` belongs to an attempt that died between claim and outcome
 *     (hermes killed mid-POST): the receiver may or may not have it, and posting again could show
 *     it twice, so the row becomes `abandoned` and nothing is posted;
 *   - a failed attempt releases its claim (back to pending) before the message is retried.
 * The window for loss is the one request in flight when a process dies; nothing is ever posted
 * twice. HTTP callbacks also get X-RaidHub-Delivery, so a receiver can check for itself.
 *
 * Failures. Retries go through the queue's delay tiers (10 × 5 s, 5 × 1 min, 2 × 30 min). Every
 * failed POST (5xx, network, timeout, permanent 4xx) adds one to the destination's consecutive
 * failures and a success resets them; at `maxFailures` (10) the destination is deactivated with
 * the reason, and its pending deliveries settle as failed. A permanent 4xx gives the delivery up
 * at once. A 429 is not a failure of the destination: the worker waits Discord's retry_after in
 * place (up to `maxInlineWaitMs` and 3 times per handling) and tries again, else releases the claim
 * and retries.
 *
 * Secrets (webhook tokens, signing secrets, the deployment key) are read from the database / config
 * at send time and appear in no message, log line, error, metric or stored reason.
 */
import { randomUUID } from "node:crypto"
import type { AnySql } from "../../lib/database/sql-types.ts"
import { type Outcome, ok, type QueueWorker, reject, retry } from "../../lib/messaging/queue-worker.ts"
import type { Logger } from "../../lib/monitoring/logger.ts"
import { type ChannelType, decodeSubscriptionDelivery, type SubscriptionDelivery } from "./event.ts"
import { classifyNetworkError, classifyResponse, type SendOutcome } from "./send-outcome.ts"
import { callbackHeaders } from "./sign.ts"
import type { DeliveryOutcome, SendStatus, SubscriptionMetrics } from "./subscription-metrics.ts"

export const DISCORD_API = "https://discord.com/api/v10"
/** 429s waited out in place per handling; the next one releases the claim and retries. */
const MAX_INLINE_429 = 3

export interface SubscriptionDeliveryDeps {
  sql: AnySql
  log: Logger
  metrics: SubscriptionMetrics
  /** Discord's API base (tests point it at a loopback receiver). */
  discordApiUrl?: string
  /** Sent as X-RaidHub-Key on every callback when set (HERMES_SUBSCRIPTION_CALLBACK_KEY). */
  deploymentKey?: string | null
  /** Consecutive failed POSTs that deactivate a destination (10). */
  maxFailures?: number
  /** Per-request timeout (10 s). */
  requestTimeoutMs?: number
  /**
   * Most time spent waiting out 429s inside one handling (45 s); beyond it the message is retried.
   * With 3 waits, 4 requests of at most `requestTimeoutMs` each: 85 s, inside the queue's 2 min
   * handler timeout (a request is never cut short from our side: its outcome must be recorded).
   */
  maxInlineWaitMs?: number
  fetch?: typeof fetch
  now?: () => number
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

interface DestinationRow {
  channel_type: ChannelType
  is_active: boolean
  webhook_id: string | null
  webhook_token: string | null
  callback_url: string | null
  signing_secret: string | null
}

const SEND_STATUS: Record<SendOutcome["kind"], SendStatus> = {
  sent: "success",
  rateLimited: "rate_limited",
  permanent: "rejected",
  transient: "error",
}

export function createSubscriptionDeliveryWorker(deps: SubscriptionDeliveryDeps): QueueWorker<Record<string, unknown>> {
  const discordApi = (deps.discordApiUrl ?? DISCORD_API).replace(/\/+$/, "")
  const maxFailures = deps.maxFailures ?? 10
  const requestTimeoutMs = deps.requestTimeoutMs ?? 10_000
  const maxInlineWaitMs = deps.maxInlineWaitMs ?? 45_000
  const doFetch = deps.fetch ?? fetch
  const now = deps.now ?? Date.now
  const sleep = deps.sleep ?? abortableSleep
  const sql = deps.sql

  const settled = (channel: ChannelType, outcome: DeliveryOutcome): void => {
    deps.metrics.outcomes.inc({ channel_type: channel, outcome })
  }

  return {
    queue: "subscription_delivery",
    async handle(delivery): Promise<Outcome> {
      const decoded = decodeSubscriptionDelivery(delivery.value)
      if (!decoded.ok) return reject(decoded.reason)
      const d = decoded.value
      const log = deps.log.child({ deliveryId: d.deliveryId, destinationId: d.destinationId })
      const [dest] = await sql.unsafe<DestinationRow[]>(
        `select d.channel_type::text as channel_type, d.is_active, dc.webhook_id, dc.webhook_token,
                hc.callback_url, hc.signing_secret
         from subscriptions.destination d
         left join subscriptions.discord_destination_config dc on dc.destination_id = d.id
         left join subscriptions.http_callback_destination_config hc on hc.destination_id = d.id
         where d.id = $1::bigint`,
        [d.destinationId],
      )
      const target = dest ? targetOf(dest, d) : null
      if (!dest?.is_active || target === null) {
        // Gone, deactivated (by us or the public API), or missing its config: nothing to send to.
        await sql.unsafe(
          `update subscriptions.delivery set state = 'skipped', finished_at = now(), last_error = $2
           where id = $1 and state = 'pending'`,
          [d.deliveryId, dest ? (dest.is_active ? "destination has no channel config" : "destination inactive") : "destination deleted"],
        )
        settled(d.channelType, "skipped")
        return ok
      }

      const token = randomUUID()
      const [claim] = await sql.unsafe<{ attempts: number }[]>(
        `update subscriptions.delivery set state = 'sending', claim_token = $2, claimed_at = now(), attempts = attempts + 1
         where id = $1 and state = 'pending' returning attempts`,
        [d.deliveryId, token],
      )
      if (!claim) return settleUnclaimed(d, log)

      let waitedMs = 0
      let limited = 0
      for (;;) {
        const outcome = await send(target, d)
        deps.metrics.sends.inc({ channel_type: d.channelType, status: SEND_STATUS[outcome.kind] })
        if (outcome.kind === "sent") {
          await sql.begin(async (tx) => {
            await tx.unsafe(
              `update subscriptions.delivery set state = 'sent', finished_at = now(), last_status = $3, last_error = null
               where id = $1 and claim_token = $2`,
              [d.deliveryId, token, outcome.status],
            )
            await tx.unsafe(
              `update subscriptions.destination set consecutive_delivery_failures = 0, last_delivery_success_at = now(), updated_at = now()
               where id = $1::bigint`,
              [d.destinationId],
            )
          })
          settled(d.channelType, "sent")
          log.debug("subscription.delivery.sent", { status: outcome.status, attempt: claim.attempts })
          return ok
        }
        if (outcome.kind === "rateLimited") {
          limited++
          // Bounded in time and in tries (a receiver answering retry_after 0 must not spin us).
          if (limited <= MAX_INLINE_429 && waitedMs + outcome.retryAfterMs <= maxInlineWaitMs && !delivery.signal.aborted) {
            log.info("subscription.delivery.rate_limited", { retryAfterMs: outcome.retryAfterMs, global: outcome.global })
            await sleep(outcome.retryAfterMs, delivery.signal)
            waitedMs += outcome.retryAfterMs
            if (!delivery.signal.aborted) continue
          }
          await release(d.deliveryId, token, 429, `rate limited (retry_after ${outcome.retryAfterMs} ms)`)
          settled(d.channelType, "retry")
          return retry(`rate limited (retry_after ${outcome.retryAfterMs} ms)`)
        }
        return settleFailure(d, token, outcome, log)
      }
    },
  }

  async function send(
    target: { url: string; auth: { signingSecret: string | null } | null },
    d: SubscriptionDelivery,
  ): Promise<SendOutcome> {
    const headers =
      target.auth === null
        ? { "Content-Type": "application/json" }
        : callbackHeaders(
            { signingSecret: target.auth.signingSecret, deploymentKey: deps.deploymentKey ?? null },
            d.deliveryId,
            d.body,
            now(),
          )
    try {
      const response = await doFetch(target.url, {
        method: "POST",
        headers,
        body: d.body,
        redirect: "manual",
        signal: AbortSignal.timeout(requestTimeoutMs),
      })
      const text = await response.text().catch(() => "")
      return classifyResponse(response.status, response.headers, text, now())
    } catch (error) {
      return classifyNetworkError(error)
    }
  }

  function targetOf(dest: DestinationRow, d: SubscriptionDelivery): { url: string; auth: { signingSecret: string | null } | null } | null {
    if (dest.channel_type !== d.channelType) return null
    if (dest.channel_type === "discord_webhook") {
      if (!dest.webhook_id || !dest.webhook_token) return null
      return { url: `${discordApi}/webhooks/${encodeURIComponent(dest.webhook_id)}/${encodeURIComponent(dest.webhook_token)}`, auth: null }
    }
    return dest.callback_url ? { url: dest.callback_url, auth: { signingSecret: dest.signing_secret } } : null
  }

  /** The row was not pending: settled before (a redelivery), or claimed by an attempt that died. */
  async function settleUnclaimed(d: SubscriptionDelivery, log: Logger): Promise<Outcome> {
    const [row] = await sql.unsafe<{ state: string; claim_token: string | null }[]>(
      "select state, claim_token from subscriptions.delivery where id = $1",
      [d.deliveryId],
    )
    if (!row) return reject(`no delivery row ${d.deliveryId} (deliveries are created by subscription_match)`)
    if (row.state === "sending") {
      // Conditional on the token seen: an attempt that is in fact alive settles over this.
      await sql.unsafe(
        `update subscriptions.delivery set state = 'abandoned', finished_at = now(),
           last_error = 'an attempt ended between claim and outcome; not posted again'
         where id = $1 and state = 'sending' and claim_token is not distinct from $2`,
        [d.deliveryId, row.claim_token],
      )
      log.warn("subscription.delivery.abandoned", { reason: "claimed by an attempt that did not finish; not posted again" })
      settled(d.channelType, "abandoned")
      return ok
    }
    log.debug("subscription.delivery.duplicate", { state: row.state })
    settled(d.channelType, "duplicate")
    return ok
  }

  async function release(deliveryId: string, token: string, status: number | null, reason: string): Promise<void> {
    await sql.unsafe(
      `update subscriptions.delivery set state = 'pending', claim_token = null, last_status = $3, last_error = $4
       where id = $1 and claim_token = $2`,
      [deliveryId, token, status, reason],
    )
  }

  async function settleFailure(
    d: SubscriptionDelivery,
    token: string,
    outcome: Extract<SendOutcome, { kind: "permanent" | "transient" }>,
    log: Logger,
  ): Promise<Outcome> {
    const reason = outcome.reason
    const result = await sql.begin(async (tx) => {
      const [dest] = await tx.unsafe<{ is_active: boolean; failures: number; deactivated: boolean }[]>(
        `update subscriptions.destination set
           consecutive_delivery_failures = consecutive_delivery_failures + 1,
           last_delivery_failure_at = now(), last_delivery_error = $2, updated_at = now(),
           is_active = is_active and consecutive_delivery_failures + 1 < $3,
           deactivated_at = case when is_active and consecutive_delivery_failures + 1 >= $3 then now() else deactivated_at end,
           deactivation_reason = case when is_active and consecutive_delivery_failures + 1 >= $3
             then 'delivery_failures: ' || (consecutive_delivery_failures + 1) || ' consecutive, last: ' || $2
             else deactivation_reason end
         where id = $1::bigint
         returning is_active, consecutive_delivery_failures as failures,
           (deactivated_at is not null and deactivated_at >= now() and not is_active) as deactivated`,
        [d.destinationId, reason, maxFailures],
      )
      const giveUp = outcome.kind === "permanent" || !dest?.is_active
      await tx.unsafe(
        `update subscriptions.delivery set state = $3, claim_token = case when $3 = 'pending' then null else claim_token end,
           finished_at = case when $3 = 'failed' then now() else null end, last_status = $4, last_error = $5
         where id = $1 and claim_token = $2`,
        [d.deliveryId, token, giveUp ? "failed" : "pending", outcome.status, reason],
      )
      return { giveUp, failures: dest?.failures ?? 0, deactivated: dest?.deactivated ?? false }
    })
    if (result.deactivated) {
      deps.metrics.deactivations.inc({ channel_type: d.channelType })
      log.warn("subscription.destination.deactivated", { failures: result.failures, reason })
    }
    if (result.giveUp) {
      log.warn("subscription.delivery.failed", { reason, failures: result.failures })
      settled(d.channelType, "failed")
      return ok
    }
    settled(d.channelType, "retry")
    return retry(`${reason} (destination failures in a row: ${result.failures})`)
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener("abort", done)
      resolve()
    }
    signal.addEventListener("abort", done)
  })
}
