/** One id a fetcher is working on: a first try, or a retry carrying the id's history. */
import { createIdHistory, type IdHistory } from "../shared/retry-policy.ts"

export interface FetchTask {
  id: bigint
  history: IdHistory
  /** > 0: add a cache-busting parameter (refetch of a bad or incomplete body). */
  cacheBust: number
  first: boolean
}

export function createFirstTry(id: bigint): FetchTask {
  return { id, history: createIdHistory(), cacheBust: 0, first: true }
}

/** Requests spent on the id so far, this one included. */
export function countAttempts(task: FetchTask): number {
  const h = task.history
  return h.notFound + h.transient + h.badFormat + h.incomplete + h.waits + 1
}
