/**
 * rabbitmq-client decodes incoming bodies itself: `text/plain` to a string and `application/json`
 * through a bare JSON.parse. The latter turns `{"membershipId":4611686018488107374}` into
 * 4611686018488107376 before our code sees it, and an id must never pass through a JS number. So
 * every consumer in this code base receives raw bytes: this patch marks each incoming content
 * header with a private content encoding (the library only decodes bodies without one) and
 * `rawBody` reads the body and the producer's real content type back.
 *
 * It patches the library's Channel prototype once per process (`installRawBodies`, called by
 * connectRabbit) and is checked by a test that publishes a JSON number id and reads it exactly.
 * The library is pinned (package.json); if its internals change, that test fails loudly.
 */
import type { AsyncMessage, SyncMessage } from "rabbitmq-client"
// The Channel class is not exported by the package index; its module is the one Connection uses.
import { Channel } from "rabbitmq-client/lib/Channel.js"

const RAW_MARK = "x-raidhub-raw"
let installed = false

interface HeaderFrame {
  fields: { contentType?: string; contentEncoding?: string }
}

/** Makes every channel of this process deliver bodies as Buffers (idempotent). */
export function installRawBodies(): void {
  if (installed) return
  const proto = (Channel as unknown as { prototype: Record<string, unknown> }).prototype
  const original = proto._onHeader as ((this: unknown, frame: HeaderFrame) => void) | undefined
  if (typeof original !== "function") throw new Error("rabbitmq-client internals changed: Channel.prototype._onHeader is missing")
  proto._onHeader = function (this: unknown, frame: HeaderFrame) {
    if (frame.fields.contentEncoding === undefined) frame.fields.contentEncoding = RAW_MARK
    return original.call(this, frame)
  }
  installed = true
}

export interface RawBody {
  body: Buffer
  contentType: string | undefined
  contentEncoding: string | undefined
}

/** The body bytes and the producer's content type/encoding of a delivered message. */
export function rawBody(message: AsyncMessage | SyncMessage): RawBody {
  const body = message.body as unknown
  const bytes = Buffer.isBuffer(body)
    ? body
    : typeof body === "string"
      ? Buffer.from(body, "utf8")
      : // Only reachable without installRawBodies(): re-encoding a decoded body is lossy for
        // number ids, which is exactly what the patch prevents.
        Buffer.from(JSON.stringify(body), "utf8")
  const encoding = message.contentEncoding === RAW_MARK ? undefined : message.contentEncoding
  return { body: bytes, contentType: message.contentType, contentEncoding: encoding }
}
