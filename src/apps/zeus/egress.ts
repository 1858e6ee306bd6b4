/**
 * Egress: one HTTP request to Bungie from a given source address, the body left streaming.
 *
 * node:http / node:https with one keep-alive agent pair per source address (Bun's fetch cannot
 * bind a local address; see src/lib/bungie/transport.ts). Connections stay open between
 * requests, so N requests from one address need far fewer than N connections. One timer covers
 * the whole exchange (connect, headers, body); a network failure is a value, never a throw, and
 * its message never contains the API key.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http"
import https from "node:https"
import type { Readable } from "node:stream"
import zlib from "node:zlib"
import { toNetworkError } from "../../lib/bungie/transport.ts"
import type { TransportNetworkError } from "../../lib/bungie/transport-types.ts"

export interface EgressRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: Uint8Array | null
}

export interface EgressResponse {
  kind: "response"
  status: number
  headers: IncomingHttpHeaders
  /** Read exactly once: streamed to the caller, or read whole (readBody). */
  body: IncomingMessage
  headersMs: number
  /** Settles when the body has ended (ok) or failed/was cut (not ok); the exchange timer is off then. */
  done: Promise<{ ok: boolean; totalMs: number }>
}

export type EgressOutcome = EgressResponse | TransportNetworkError

export interface EgressOptions {
  /** Local addresses to send from; empty = the default route (one "address"). */
  sourceAddresses: readonly string[]
  timeoutMs: number
  apiKey: string
  maxIdleSocketsPerAddress?: number
}

export interface Egress {
  /** One name per address index ("default" for the default route). */
  readonly addressNames: readonly string[]
  send(addressIndex: number, request: EgressRequest): Promise<EgressOutcome>
  close(): void
}

interface Route {
  localAddress: string | undefined
  http: http.Agent
  https: https.Agent
}

export function createEgress(o: EgressOptions): Egress {
  const agentOptions = { keepAlive: true, maxFreeSockets: o.maxIdleSocketsPerAddress ?? 256 }
  const locals = o.sourceAddresses.length === 0 ? [undefined] : [...o.sourceAddresses]
  const routes: Route[] = locals.map((localAddress) => ({
    localAddress,
    http: new http.Agent(agentOptions),
    https: new https.Agent(agentOptions),
  }))
  return {
    addressNames: locals.map((a) => a ?? "default"),
    send(addressIndex, request) {
      const route = routes[addressIndex]
      if (route === undefined) throw new RangeError(`no source address ${addressIndex}`)
      return sendFrom(route, request, o)
    },
    close() {
      for (const route of routes) {
        route.http.destroy()
        route.https.destroy()
      }
    },
  }
}

function sendFrom(route: Route, request: EgressRequest, o: EgressOptions): Promise<EgressOutcome> {
  const started = performance.now()
  return new Promise<EgressOutcome>((resolve) => {
    let answered = false
    let target: URL
    try {
      target = new URL(request.url)
    } catch (error) {
      resolve(toNetworkError(error, 0, o))
      return
    }
    const isHttps = target.protocol === "https:"
    const headers = request.body === null ? request.headers : { ...request.headers, "content-length": String(request.body.byteLength) }
    const outgoing = (isHttps ? https : http).request(
      target,
      { method: request.method, headers, agent: isHttps ? route.https : route.http, localAddress: route.localAddress },
      (response) => {
        answered = true
        let settle: (v: { ok: boolean; totalMs: number }) => void = () => {}
        const done = new Promise<{ ok: boolean; totalMs: number }>((r) => {
          settle = r
        })
        let finished = false
        const finish = (ok: boolean) => {
          if (finished) return
          finished = true
          clearTimeout(timer)
          settle({ ok, totalMs: performance.now() - started })
        }
        response.once("end", () => finish(true))
        response.once("error", () => finish(false))
        response.once("close", () => finish(response.complete))
        resolve({
          kind: "response",
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: response,
          headersMs: performance.now() - started,
          done,
        })
      },
    )
    const timer = setTimeout(() => {
      outgoing.destroy(Object.assign(new Error(`no complete response within ${o.timeoutMs} ms`), { name: "TimeoutError" }))
    }, o.timeoutMs)
    outgoing.on("error", (error) => {
      if (answered) return
      answered = true
      clearTimeout(timer)
      resolve(toNetworkError(error, performance.now() - started, o))
    })
    if (request.body === null) outgoing.end()
    else outgoing.end(request.body)
  })
}

/** Reads a body whole (error answers are small); an Error when it was cut or exceeds maxBytes. */
export function readBody(body: Readable, maxBytes: number): Promise<Uint8Array | Error> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (value: Uint8Array | Error) => {
      if (settled) return
      settled = true
      resolve(value)
    }
    body.on("data", (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > maxBytes) {
        body.destroy()
        settle(new Error(`body larger than ${maxBytes} bytes`))
      } else chunks.push(chunk)
    })
    body.once("end", () => {
      const all = Buffer.concat(chunks)
      settle(new Uint8Array(all.buffer, all.byteOffset, all.byteLength))
    })
    body.once("error", (error) => settle(error instanceof Error ? error : new Error(String(error))))
    body.once("close", () => settle(new Error("body cut before its end")))
  })
}

/** A streaming decoder for a Content-Encoding zeus can decode, or null. */
export function createDecoder(encoding: string | undefined): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip()
    case "deflate":
      return zlib.createInflate()
    case "br":
      return zlib.createBrotliDecompress()
    default:
      return null
  }
}

/** Decodes a whole body; the input unchanged when it has no (known) encoding, an Error when it is corrupt. */
export function decodeWhole(body: Uint8Array, encoding: string | undefined): Uint8Array | Error {
  try {
    switch ((encoding ?? "").trim().toLowerCase()) {
      case "gzip":
      case "x-gzip":
        return new Uint8Array(zlib.gunzipSync(body))
      case "deflate":
        return new Uint8Array(zlib.inflateSync(body))
      case "br":
        return new Uint8Array(zlib.brotliDecompressSync(body))
      default:
        return body
    }
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/**
 * A node stream as a web ReadableStream for Bun.serve, with backpressure (paused while the
 * caller reads slowly); cancelling (the caller went away) destroys the upstream body.
 */
export function toWebStream(body: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on("data", (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 1) <= 0) body.pause()
      })
      body.once("end", () => controller.close())
      body.once("error", (error) => controller.error(error))
    },
    pull() {
      body.resume()
    },
    cancel() {
      body.destroy()
    },
  })
}
