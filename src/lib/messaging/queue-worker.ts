/**
 * The contract between the hermes runtime and a queue worker (src/queues/*). A worker
 * handles one decoded message at a time and says what became of it; the runtime does every
 * broker operation (ack, retry through the delay tiers, dead-lettering, requeueing) so that a
 * message is never acknowledged before its effect is committed and its follow-up is confirmed.
 *
 *   ok       the effect is committed (or there was nothing to do): ack
 *   retry    a failure worth another try later: republish to the next delay tier with
 *            x-retry-count + 1 (confirmed), then ack; past the queue's schedule → .dead
 *   reject   can never succeed (e.g. unparseable): republish to .dead with the reason, then ack
 *   requeue  try again soon WITHOUT burning a retry (pgcr_blocked while the floodgates are
 *            closed): "head" returns it to its place in the queue (nack), "tail" republishes it
 *            to the back of the queue with `headers` merged in, then acks
 *   pause    a dependency is down (a Bungie system disabled, ClickHouse unreachable): the
 *            message goes back to the queue (nack, no retry burned) and the queue stops
 *            consuming until the system is enabled again / after `resumeAfterMs`
 *
 * Handlers throw only on bugs; the runtime treats a throw as `retry` with the error as reason.
 */
import type { QueueName } from "./queues.ts"

export type Outcome =
  | { kind: "ok" }
  | { kind: "retry"; reason: string }
  | { kind: "reject"; reason: string }
  | { kind: "requeue"; reason: string; position: "head" | "tail"; headers?: Record<string, string | number> }
  | { kind: "pause"; reason: string; system?: string; resumeAfterMs?: number }

export type OutcomeKind = Outcome["kind"]

export interface Delivery<T> {
  queue: string
  /** The decoded body (per the queue table's format). */
  value: T
  body: Buffer
  contentType: string | undefined
  headers: Record<string, unknown>
  messageId: string | undefined
  /** Retries this message has been through (x-retry-count). */
  retryCount: number
  /** The broker delivered it before (a consumer died holding it). */
  redelivered: boolean
  /** True when the runtime fetched it with basic.get for a probe (queue paused), not a consumer. */
  probe: boolean
  /** Aborted when the queue pauses or stops, or at the queue's handler timeout. */
  signal: AbortSignal
}

export interface QueueControl {
  /** Stops consuming for `reason` (consumers cancelled, messages stay in the queue). */
  pause(reason: string): void
  /** Lifts one pause reason; consumption resumes when none is left. */
  resume(reason: string): void
  /**
   * Fetches the message at the head of the queue (basic.get), runs it through the worker with
   * `probe: true` and applies the outcome. Null when the queue is empty. For a worker that keeps
   * its queue paused and tests the water one message at a time.
   */
  probe(): Promise<Outcome | null>
  readonly paused: boolean
  /** Every reason the queue is paused for right now. */
  readonly pauseReasons: readonly string[]
}

export interface QueueWorker<T = unknown> {
  readonly queue: QueueName | string
  handle(delivery: Delivery<T>): Promise<Outcome>
  /** Background work (e.g. a prober), started once the queue's topology exists. */
  start?(control: QueueControl): void
  /** Stops the background work; in-flight messages are finished by the runtime. */
  stop?(): Promise<void>
}

export const ok: Outcome = { kind: "ok" }
export const retry = (reason: string): Outcome => ({ kind: "retry", reason })
export const reject = (reason: string): Outcome => ({ kind: "reject", reason })
