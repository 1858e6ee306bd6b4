/**
 * Transport: one GET, one outcome value. Never throws for network problems; the API key never
 * appears in any message it produces.
 *
 * Two engines with the same contract:
 * - "fetch": Bun's fetch (keep-alive pool, automatic decompression). Used when no source address is
 *   asked for. Bun's fetch cannot bind a local address (no such option on fetch or Bun.FetchSession
 *   in Bun 1.4.5; an unknown `localAddress` init key is silently ignored — see transport.test.ts).
 * - "node": node:http/node:https `request({ localAddress, agent })` with keep-alive agents owned by
 *   this transport. Used when `sourceAddress` is set (IPv6 rotation across source addresses).
 */
import http from "node:http"
import https from "node:https"
import zlib from "node:zlib"
import type { NetworkErrorCode, TransportNetworkError, TransportOutcome } from "./transport-types.ts"

export type TransportEngine = "fetch" | "node"

export interface TransportOptions {
  apiKey: string
  userAgent: string
  /** Whole exchange budget: connect + headers + body. */
  timeoutMs: number
  /** Local address to bind outgoing connections to (forces the "node" engine). */
  sourceAddress?: string
  /** Override the engine choice (benchmarks, tests). "fetch" with a sourceAddress is rejected. */
  engine?: TransportEngine
  /** Idle keep-alive sockets kept per agent ("node" engine). */
  maxIdleSockets?: number
  /** More request headers (e.g. the caller tag zeus schedules by). */
  headers?: Readonly<Record<string, string>>
}

export interface Transport {
  readonly engine: TransportEngine
  get(url: string): Promise<TransportOutcome>
  /** Closes idle keep-alive connections. */
  close(): void
}

export function createTransport(options: TransportOptions): Transport {
  const engine = options.engine ?? (options.sourceAddress === undefined ? "fetch" : "node")
  if (engine === "fetch" && options.sourceAddress !== undefined) {
    throw new Error("Bun fetch cannot bind a source address; use the node engine")
  }
  return engine === "fetch" ? createFetchTransport(options) : createNodeTransport(options)
}

/** An empty apiKey sends no X-API-Key: a client talking to zeus leaves the key to zeus. */
function buildHeaders(options: TransportOptions): Record<string, string> {
  const headers: Record<string, string> = { "User-Agent": options.userAgent, Accept: "application/json", ...options.headers }
  if (options.apiKey.length > 0) headers["X-API-Key"] = options.apiKey
  return headers
}

function createFetchTransport(options: TransportOptions): Transport {
  const headers = buildHeaders(options)
  const session = new Bun.FetchSession({ keepAlive: true })
  return {
    engine: "fetch",
    async get(url) {
      const started = performance.now()
      try {
        const response = await session.fetch(url, {
          headers,
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs),
        })
        const body = new Uint8Array(await response.arrayBuffer())
        const responseHeaders: Record<string, string> = {}
        response.headers.forEach((value, key) => {
          responseHeaders[key.toLowerCase()] = value
        })
        return { kind: "response", status: response.status, headers: responseHeaders, body, latencyMs: performance.now() - started }
      } catch (error) {
        return toNetworkError(error, performance.now() - started, options)
      }
    },
    close() {
      session.close()
    },
  }
}

function createNodeTransport(options: TransportOptions): Transport {
  const agentOptions = { keepAlive: true, maxFreeSockets: options.maxIdleSockets ?? 256 }
  const httpAgent = new http.Agent(agentOptions)
  const httpsAgent = new https.Agent(agentOptions)
  const headers = { ...buildHeaders(options), "Accept-Encoding": "gzip, br, deflate" }
  return {
    engine: "node",
    get(url) {
      const started = performance.now()
      return new Promise<TransportOutcome>((resolve) => {
        let settled = false
        const finish = (outcome: TransportOutcome) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resolve(outcome)
        }
        const fail = (error: unknown) => finish(toNetworkError(error, performance.now() - started, options))
        let target: URL
        try {
          target = new URL(url)
        } catch (error) {
          finish({ kind: "networkError", code: "other", message: `invalid URL: ${describe(error)}`, latencyMs: 0 })
          return
        }
        const isHttps = target.protocol === "https:"
        const request = (isHttps ? https : http).request(
          target,
          { method: "GET", headers, agent: isHttps ? httpsAgent : httpAgent, localAddress: options.sourceAddress },
          (response) => {
            const chunks: Buffer[] = []
            response.on("data", (chunk: Buffer) => chunks.push(chunk))
            response.on("error", fail)
            response.on("end", () => {
              const decoded = decompress(Buffer.concat(chunks), response.headers["content-encoding"])
              if (decoded instanceof Error) return fail(decoded)
              finish({
                kind: "response",
                status: response.statusCode ?? 0,
                headers: flattenHeaders(response.headers),
                body: decoded,
                latencyMs: performance.now() - started,
              })
            })
          },
        )
        const timer = setTimeout(() => {
          request.destroy(Object.assign(new Error(`no complete response within ${options.timeoutMs} ms`), { name: "TimeoutError" }))
        }, options.timeoutMs)
        request.on("error", fail)
        request.end()
      })
    },
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    },
  }
}

function decompress(body: Buffer, encoding: string | undefined): Uint8Array | Error {
  try {
    switch ((encoding ?? "").trim().toLowerCase()) {
      case "gzip":
        return new Uint8Array(zlib.gunzipSync(body))
      case "br":
        return new Uint8Array(zlib.brotliDecompressSync(body))
      case "deflate":
        return new Uint8Array(zlib.inflateSync(body))
      default:
        return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
    }
  } catch (error) {
    return new Error(`cannot decompress ${encoding} body: ${describe(error)}`)
  }
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

/** Maps engine-specific errors (Bun fetch codes, Node errno codes) onto our small vocabulary. */
export function toNetworkError(
  error: unknown,
  latencyMs: number,
  options: Pick<TransportOptions, "apiKey" | "timeoutMs">,
): TransportNetworkError {
  const code = classifyNetworkError(error)
  const message = code === "timeout" ? `no complete response within ${options.timeoutMs} ms` : redact(describe(error), options.apiKey)
  return { kind: "networkError", code, message, latencyMs }
}

function classifyNetworkError(error: unknown): NetworkErrorCode {
  const name = error instanceof Error ? error.name : ""
  const code = String((error as { code?: unknown } | null)?.code ?? "")
  const text = `${name} ${code} ${error instanceof Error ? error.message : String(error)}`
  if (name === "TimeoutError" || name === "AbortError" || /ETIMEDOUT|timed? ?out/i.test(text)) return "timeout"
  if (/ECONNREFUSED|ConnectionRefused|refused/i.test(text)) return "refused"
  if (/ECONNRESET|EPIPE|ConnectionClosed|socket hang up|reset|closed unexpectedly/i.test(text)) return "reset"
  if (/ENOTFOUND|EAI_AGAIN|DNS|getaddrinfo/i.test(text)) return "dns"
  if (/CERT|TLS|SSL|self.signed/i.test(text)) return "tls"
  return "other"
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === "string" && !error.message.includes(code) ? `${code}: ${error.message}` : error.message
  }
  return String(error)
}

/** Defence in depth: messages come from runtimes we do not control. */
function redact(text: string, apiKey: string): string {
  return apiKey.length === 0 ? text : text.split(apiKey).join("[redacted]")
}
