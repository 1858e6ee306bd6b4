import { describe, expect, test } from "bun:test"
import { decodeWriterItem, encodeWriterItem, postWriterItem, type WriterItem } from "./messages.ts"

const missed: WriterItem = {
  kind: "missed",
  id: "17091200569",
  reason: "blocked",
  lastResult: "blocked",
  httpStatus: 200,
  errorCode: 12,
  attempts: 1,
  nextRetryAt: 1_800_000_000_000,
}

describe("writer messages", () => {
  test("round trip keeps ids as exact strings and raw bytes as bytes", () => {
    const raw = new TextEncoder().encode('{"Response":{"activityDetails":{"instanceId":"9007199254740993"}}}')
    const item = {
      kind: "raid",
      id: "9007199254740993",
      raw,
      instance: { instanceId: "9007199254740993", players: [] },
    } as unknown as WriterItem
    const decoded = decodeWriterItem(encodeWriterItem(item))
    expect(decoded.kind).toBe("raid")
    if (decoded.kind !== "raid") return
    expect(decoded.id).toBe("9007199254740993")
    expect(new TextDecoder().decode(decoded.raw)).toBe(new TextDecoder().decode(raw))
    expect(decodeWriterItem(encodeWriterItem(missed))).toEqual(missed)
  })

  test("each encoded item owns its buffer, and posting transfers it", async () => {
    const a = encodeWriterItem(missed)
    const b = encodeWriterItem({ ...missed, id: "1" } as WriterItem)
    expect(a.buffer).not.toBe(b.buffer)
    expect(a.byteOffset).toBe(0)
    const channel = new MessageChannel()
    const received = new Promise<Uint8Array>((resolve) => {
      channel.port2.onmessage = (event) => resolve(event.data)
    })
    const sent: { bytes?: Uint8Array } = {}
    postWriterItem(
      {
        postMessage(message, transfer) {
          sent.bytes = message as Uint8Array
          channel.port1.postMessage(message, transfer)
        },
      },
      missed,
    )
    expect(sent.bytes!.byteLength).toBe(0) // detached: the bytes moved, not copied
    expect(decodeWriterItem(await received)).toEqual(missed)
    channel.port1.close()
    channel.port2.close()
  })
})
