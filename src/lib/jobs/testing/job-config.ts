/** Shared settings for job tests: the test database and a simulator as Bungie. */
import { loadConfig } from "../../config/load-config.ts"
import type { ConfigOf } from "../../config/sections.ts"

export const SIM_API_KEY = "sim-test-key"

export function jobTestConfig(databaseUrl: string, simUrl: string): ConfigOf<"shared"> {
  return loadConfig(["shared"], {
    DATABASE_URL: databaseUrl,
    BUNGIE_API_KEY: SIM_API_KEY,
    BUNGIE_BASE_URL: simUrl,
    BUNGIE_WWW_BASE_URL: simUrl,
    LOG_LEVEL: "silent",
  })
}

/** The environment a tool run (`tool.run(argv, io)`) reads in tests. */
export function jobTestEnv(databaseUrl: string, simUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    BUNGIE_API_KEY: SIM_API_KEY,
    BUNGIE_BASE_URL: simUrl,
    BUNGIE_WWW_BASE_URL: simUrl,
    LOG_LEVEL: "silent",
  }
}
