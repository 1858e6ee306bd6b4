/**
 * Applies a handler's outcome to the broker: every follow-up publish (delay tier, dead letter,
 * requeue to the tail) is confirmed BEFORE the original is acknowledged. If a publish fails (the
 * connection dropped), this throws and the original is not acked: the broker redelivers it, and
 * at worst a confirmed-but-unreported copy exists too (at-least-once; handlers are idempotent).
 */
import { type ConfirmedPublisher, carriedHeaders } from "../../../lib/messaging/confirmed-publisher.ts"
import type { Outcome } from "../../../lib/messaging/queue-worker.ts"
import { planRetry, RETRY_COUNT_HEADER } from "../../../lib/messaging/retry-schedule.ts"
import { deadQueueName } from "../../../lib/messaging/topology.ts"

export const DEAD_REASON_HEADER = "x-dead-reason"
export const DEAD_QUEUE_HEADER = "x-dead-queue"
export const DEAD_AT_HEADER = "x-dead-at"
export const LAST_ERROR_HEADER = "x-last-error"

/** Metric label of what became of a message. */
export type SettledStatus = "ok" | "retry" | "dead" | "requeue" | "pause"

export interface Settlement {
  /** ack = remove from the queue; requeue = nack(requeue), the message stays where it was. */
  action: "ack" | "requeue"
  status: SettledStatus
  /** Why (retry, dead, requeue, pause). */
  reason?: string
}

export interface SettleMessage {
  body: Buffer
  contentType: string | undefined
  messageId: string | undefined
  headers: Record<string, unknown>
  retryCount: number
}

export interface SettleContext {
  queue: string
  schedule: readonly number[]
  publisher: ConfirmedPublisher
  now?: () => number
  random?: () => number
}

const MAX_REASON = 500

export async function settle(ctx: SettleContext, message: SettleMessage, outcome: Outcome): Promise<Settlement> {
  switch (outcome.kind) {
    case "ok":
      return { action: "ack", status: "ok" }
    case "pause":
      return { action: "requeue", status: "pause", reason: outcome.reason }
    case "requeue":
      if (outcome.position === "head") return { action: "requeue", status: "requeue", reason: outcome.reason }
      await ctx.publisher.publish(ctx.queue, message.body, {
        contentType: message.contentType,
        messageId: message.messageId,
        headers: { ...carriedHeaders(message.headers), ...outcome.headers, [RETRY_COUNT_HEADER]: message.retryCount },
      })
      return { action: "ack", status: "requeue", reason: outcome.reason }
    case "reject":
      await deadLetter(ctx, message, outcome.reason)
      return { action: "ack", status: "dead", reason: outcome.reason }
    case "retry": {
      const plan = planRetry(ctx.queue, ctx.schedule, message.retryCount, ctx.random)
      if (plan.kind === "exhausted") {
        const reason = `retries exhausted (${plan.retries}): ${outcome.reason}`
        await deadLetter(ctx, message, reason)
        return { action: "ack", status: "dead", reason }
      }
      await ctx.publisher.publish(plan.delayQueue, message.body, {
        contentType: message.contentType,
        messageId: message.messageId,
        expirationMs: plan.expirationMs,
        headers: { ...carriedHeaders(message.headers), [RETRY_COUNT_HEADER]: plan.retry, [LAST_ERROR_HEADER]: clip(outcome.reason) },
      })
      return { action: "ack", status: "retry", reason: outcome.reason }
    }
  }
}

async function deadLetter(ctx: SettleContext, message: SettleMessage, reason: string): Promise<void> {
  await ctx.publisher.publish(deadQueueName(ctx.queue), message.body, {
    contentType: message.contentType,
    messageId: message.messageId,
    headers: {
      ...carriedHeaders(message.headers),
      [RETRY_COUNT_HEADER]: message.retryCount,
      [DEAD_REASON_HEADER]: clip(reason),
      [DEAD_QUEUE_HEADER]: ctx.queue,
      [DEAD_AT_HEADER]: new Date((ctx.now ?? Date.now)()).toISOString(),
    },
  })
}

function clip(reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason
}
