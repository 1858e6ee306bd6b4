// Helpers shared by the simulator's tests (not used at run time).
import { request } from "node:http"

export const HEADERS = { "x-api-key": "sim-test-key", "user-agent": "raidhub-sim-test/1.0" }

/** Bun's fetch cannot bind a source address; node:http can (localAddress). */
export function requestFrom(
  url: string,
  localAddress: string,
  headers: Record<string, string> = HEADERS,
): Promise<{ status: number; body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (body += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, contentType: String(res.headers["content-type"] ?? "") }))
    })
    req.on("error", reject)
    req.end()
  })
}

export async function getJson(
  url: string,
  headers: Record<string, string> = HEADERS,
): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(url, { headers })
  const text = await res.text()
  let json: any = null
  try {
    json = JSON.parse(text)
  } catch {
    json = null
  }
  return { status: res.status, json, text }
}

/** Every key path of a JSON value, arrays collapsed to `[]` (the "shape"). */
export function shapeOf(value: unknown, path = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) shapeOf(item, `${path}[]`, out)
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(`${path}.${k}`)
      shapeOf(v, `${path}.${k}`, out)
    }
  }
  return out
}
