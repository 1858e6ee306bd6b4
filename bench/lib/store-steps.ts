/**
 * Where the instance store's batch time goes, from StoreReport.stepsMs (pure, unit-tested), and
 * the bound it puts on the writer ratio: raw COPY writes the batch's rows and nothing else, so a
 * store that must also derive aggregates, first clears and outbox rows in the same transaction
 * cannot beat COPY ÷ (COPY + derived) even with staging and row writes as cheap as COPY's.
 */
import { STORE_STEPS, type StoreStep, type StoreStepsMs } from "../../src/lib/database/instance-store-types.ts"
import { quantileOf } from "../../src/lib/math/percentile.ts"

export type StepKind = "staging" | "rows" | "derived"

/** The steps that write what raw COPY writes too; staging is the store's own price for set-based SQL. */
const KIND: Record<StoreStep, StepKind> = {
  definitions: "derived",
  staging: "staging",
  locks: "derived",
  instances: "rows",
  players: "rows",
  firstClears: "derived",
  participants: "rows",
  playerStats: "derived",
  sumOfBest: "derived",
  sherpaDeltas: "derived",
  outbox: "derived",
}

export interface StepRow {
  step: StoreStep
  kind: StepKind
  /** Median over the batches, ms. */
  medianMs: number
}

export interface StepBreakdown {
  steps: StepRow[]
  /** Sums of the per-step medians, ms per batch. */
  byKind: Record<StepKind, number>
}

export function breakDownStoreSteps(batches: readonly StoreStepsMs[]): StepBreakdown {
  const steps = STORE_STEPS.map((step) => ({
    step,
    kind: KIND[step],
    medianMs:
      batches.length === 0
        ? Number.NaN
        : quantileOf(
            batches.map((b) => b[step]),
            0.5,
          ),
  }))
  const byKind: Record<StepKind, number> = { staging: 0, rows: 0, derived: 0 }
  for (const s of steps) byKind[s.kind] += s.medianMs
  return { steps, byKind }
}

/** The highest store ÷ COPY throughput ratio a store doing `derivedMs` more than COPY's `copyMs` can reach. */
export function writerRatioBound(copyMs: number, derivedMs: number): number {
  return copyMs / (copyMs + derivedMs)
}
