import type { Scenario } from "../lib/scenario.ts"
export const writerScenario: Scenario = { name: "writer", summary: "todo", core: true, async run() { throw new Error("todo") } }
