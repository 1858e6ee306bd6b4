/** What an outbox relay delivers to. */

export interface OutboxRow {
  /** crawl.outbox.id as a decimal string; also the message id a sink derives ("outbox-<id>"). */
  id: string
  topic: string
  payload: Uint8Array
  contentType: string
  attempts: number
}

export interface DeliveryResult {
  /** Rows that were not delivered, with the reason; every other row counts as delivered. */
  failed: Map<string, string>
}

export interface OutboxSink {
  readonly name: string
  /**
   * Delivers rows and resolves only when the destination confirmed them (ClickHouse insert
   * acknowledged, broker confirm received). Throwing means none were delivered.
   */
  deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult>
}

/** Deterministic message id of an outbox row: a redelivery after a crash carries the same id. */
export function outboxMessageId(row: Pick<OutboxRow, "id">): string {
  return `outbox-${row.id}`
}
