/**
 * Receiving end of the `writer` transport comparison: decodes each message the way its format
 * requires and answers with a tiny ack on the same port (the round trip the bench times).
 */
import { decodeWriterItem, type RaidItem } from "../../src/apps/atlas/shared/messages.ts"

export type TransportFormat = "msgpackr+transfer" | "json-string" | "structured-clone"

declare const self: Worker

function decode(format: TransportFormat, data: unknown): RaidItem {
  if (format === "msgpackr+transfer") return decodeWriterItem(data as Uint8Array) as RaidItem
  if (format === "json-string") {
    const item = JSON.parse(data as string) as Omit<RaidItem, "raw"> & { raw: string }
    return { ...item, raw: new Uint8Array(Buffer.from(item.raw, "base64")) }
  }
  return data as RaidItem
}

self.onmessage = (event: MessageEvent<{ port: MessagePort; format: TransportFormat }>) => {
  const { port, format } = event.data
  port.onmessage = (message) => {
    const item = decode(format, message.data)
    // Touch the payload so no format gets away with lazy work.
    port.postMessage(item.instance.players.length + item.raw.byteLength)
  }
}
