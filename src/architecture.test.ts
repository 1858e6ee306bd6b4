/**
 * The layout rules (DESIGN.md, "Processes and layout"), checked on the import statements of every
 * source file: src/lib never imports an app, a tool or a thread entry; nothing in src/ imports
 * workers/ (threads are started by URL); the simulator does not share our code (it plays Bungie and
 * must not share our bugs); and no two folders import each other, directly or around a cycle, so
 * the tree shows the architecture. Tests may reach across (an integration test drives an app).
 */
import { describe, expect, test } from "bun:test"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"

const ROOT = resolve(import.meta.dir, "..")
const SCANNED = ["src", "workers", "bench"]

interface SourceFile {
  path: string
  imports: string[]
}

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    if (statSync(full).isDirectory()) return listTs(full)
    return name.endsWith(".ts") ? [full] : []
  })
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^"'`]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g

function readSources(): SourceFile[] {
  return SCANNED.flatMap((top) => listTs(join(ROOT, top))).map((file) => {
    const text = readFileSync(file, "utf8")
    const imports: string[] = []
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]
      if (spec?.startsWith(".")) imports.push(relative(ROOT, resolve(dirname(file), spec)))
    }
    return { path: relative(ROOT, file), imports }
  })
}

const isTest = (path: string) => /\.test\.ts$|\/testing\/|\/testing\.ts$|test-helpers\.ts$/.test(path)
const sources = readSources()
const code = sources.filter((s) => !isTest(s.path))

function violations(from: (path: string) => boolean, to: (target: string) => boolean, files = code): string[] {
  return files.filter((s) => from(s.path)).flatMap((s) => s.imports.filter(to).map((target) => `${s.path} → ${target}`))
}

/** Folder-level import graph; returns every strongly connected group of more than one folder. */
function findFolderCycles(files: SourceFile[]): string[][] {
  const edges = new Map<string, Set<string>>()
  for (const s of files) {
    const from = dirname(s.path)
    for (const target of s.imports) {
      const to = dirname(target)
      if (to === from) continue
      if (!edges.has(from)) edges.set(from, new Set())
      edges.get(from)!.add(to)
    }
  }
  // Tarjan's strongly connected components.
  let index = 0
  const indices = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const groups: string[][] = []
  const visit = (v: string) => {
    indices.set(v, index)
    low.set(v, index)
    index++
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
    }
    if (low.get(v) === indices.get(v)) {
      const group: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        group.push(w)
      } while (w !== v)
      if (group.length > 1) groups.push(group.sort())
    }
  }
  for (const v of edges.keys()) if (!indices.has(v)) visit(v)
  return groups
}

describe("layout rules", () => {
  test("the scan sees the tree (a rule checked on nothing would always pass)", () => {
    expect(code.length).toBeGreaterThan(100)
    expect(code.find((s) => s.path === "src/apps/atlas/main.ts")?.imports.length).toBeGreaterThan(3)
  })

  test("src/lib never imports an app, a tool or a thread entry", () => {
    const outside = (t: string) => /^src\/(apps|tools|queues)\//.test(t) || t.startsWith("workers/")
    expect(violations((p) => p.startsWith("src/lib/"), outside)).toEqual([])
  })

  test("nothing in src/ imports workers/ (a thread is started by URL)", () => {
    expect(
      violations(
        (p) => p.startsWith("src/"),
        (t) => t.startsWith("workers/"),
        sources,
      ),
    ).toEqual([])
  })

  test("the simulator imports nothing of ours: it plays Bungie and must not share our bugs", () => {
    expect(
      violations(
        (p) => p.startsWith("src/sim/"),
        (t) => t.startsWith("src/") && !t.startsWith("src/sim/"),
      ),
    ).toEqual([])
  })

  test("no import cycle between folders", () => {
    expect(findFolderCycles(code)).toEqual([])
  })

  test("the cycle finder finds a cycle when there is one", () => {
    const files: SourceFile[] = [
      { path: "src/a/x.ts", imports: ["src/b/y.ts"] },
      { path: "src/b/y.ts", imports: ["src/c/z.ts"] },
      { path: "src/c/z.ts", imports: ["src/a/w.ts"] },
      { path: "src/d/v.ts", imports: ["src/a/x.ts"] },
    ]
    expect(findFolderCycles(files)).toEqual([["src/a", "src/b", "src/c"]])
  })

  test("a test that needs a server, a process or real time is named *.integration.test.ts (npm run test:unit skips those)", () => {
    const needsServices =
      /database\/testing\.ts|sim\/server\.ts|rabbitmq-client|test-vhost|Bun\.spawn|node:child_process|startAtlas|createTestClickhouse|createTestDatabase|startZeus|startTestZeus|startHermes|harness\.ts|chdb/
    const misnamed = SCANNED.flatMap((top) => listTs(join(ROOT, top)))
      .filter((file) => file.endsWith(".test.ts") && !file.endsWith(".integration.test.ts") && file !== import.meta.path)
      .filter((file) => needsServices.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file))
    expect(misnamed).toEqual([])
  })
})
