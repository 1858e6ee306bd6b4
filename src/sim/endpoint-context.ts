// What every endpoint handler receives.
import type { ApiResult } from "./envelope.ts"
import type { HistoryIndex } from "./history-index.ts"
import type { SimState } from "./state.ts"

export interface RequestContext {
  state: SimState
  history: HistoryIndex
  nowMs: number
  url: URL
  /** Regex capture groups of the matched route. */
  params: string[]
}

export type Handler = (ctx: RequestContext) => ApiResult | Promise<ApiResult>
