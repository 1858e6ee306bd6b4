/** The scenario registry of `bun run bench`, in the order `bun run bench` runs them. */
import type { Scenario } from "../lib/scenario.ts"
import { backfillScenario } from "./backfill.ts"
import { ceilingScenario } from "./ceiling.ts"
import { cheatScenario } from "./cheat.ts"
import { extraScenarios } from "./extras.ts"
import { fleetScenario } from "./fleet.ts"
import { followScenario } from "./follow.ts"
import { frontierScenario } from "./frontier.ts"
import { hermesScenario } from "./hermes.ts"
import { limiterScenario } from "./limiter.ts"
import { memoryScenario } from "./memory.ts"
import { playerCrawlScenario } from "./player-crawl.ts"
import { soakScenario } from "./soak.ts"
import { sweepScenario } from "./sweep.ts"
import { writerScenario } from "./writer.ts"
import { zeusScenario } from "./zeus.ts"

export const SCENARIOS: readonly Scenario[] = [
  ceilingScenario,
  limiterScenario,
  writerScenario,
  backfillScenario,
  frontierScenario,
  followScenario,
  memoryScenario,
  soakScenario,
  sweepScenario,
  zeusScenario,
  hermesScenario,
  cheatScenario,
  playerCrawlScenario,
  fleetScenario,
  ...extraScenarios,
]

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name)
}
