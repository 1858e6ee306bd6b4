/** What each heuristic returns. */

export interface SignalResult {
  probability: number
  /** Bits to report when the probability passes the reporting threshold. */
  bits: bigint
  explanation: string | null
}

export const NO_SIGNAL: SignalResult = { probability: 0, bits: 0n, explanation: null }
