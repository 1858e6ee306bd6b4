/**
 * The image installs exactly what the lockfile says (`npm ci`), and `npm ci` refuses a lockfile
 * that lacks any optional dependency of a locked package, even one for another platform. The
 * registry this project installs from has no chdb libraries for darwin or linux-arm64, so `npm
 * install` leaves them out: the lockfile carries hand-added entries for them (platform-guarded,
 * never fetched on linux-x64). This test fails as soon as a lockfile update drops one again.
 */
import { expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { join } from "node:path"

interface LockedPackage {
  version?: string
  optionalDependencies?: Record<string, string>
}

test("every optional dependency of a locked package has a lockfile entry (npm ci would refuse the lockfile)", () => {
  const lock = JSON.parse(readFileSync(join(import.meta.dir, "..", "package-lock.json"), "utf8")) as {
    packages: Record<string, LockedPackage>
  }
  const missing: string[] = []
  for (const [path, pkg] of Object.entries(lock.packages)) {
    for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
      const nested = `${path}/node_modules/${name}`
      if (!(nested in lock.packages) && !(`node_modules/${name}` in lock.packages))
        missing.push(`${name} (optional dependency of ${path || "the root"})`)
    }
  }
  expect(missing).toEqual([])
  expect(Object.keys(lock.packages).length).toBeGreaterThan(20)
})
