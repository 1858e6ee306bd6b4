/**
 * Asks Bungie's Settings endpoint whether Destiny2 is enabled. Used only while the limiter holds
 * a SystemDisabled pause, so the crawl resumes as soon as maintenance ends instead of waiting out
 * the whole pause (the original polled every 60 s).
 */

export async function probeDestinyEnabled(baseUrl: string, apiKey: string, userAgent: string, timeoutMs = 5_000): Promise<boolean | null> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, "")}/Platform/Settings/`, {
      headers: { "X-API-Key": apiKey, "User-Agent": userAgent },
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await response.json()) as { Response?: { systems?: Record<string, { enabled?: boolean }> } }
    const enabled = body.Response?.systems?.Destiny2?.enabled
    return typeof enabled === "boolean" ? enabled : null
  } catch {
    return null
  }
}
