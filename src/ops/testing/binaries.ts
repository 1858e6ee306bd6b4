/**
 * The Prometheus tools the ops checks run (Debian's `prometheus` package: prometheus, promtool;
 * `prometheus-alertmanager`: amtool). In CI a missing tool is an error (.ci/run installs them);
 * elsewhere the checks that need it are skipped, and say so.
 */

export function locateBinary(name: string, debianPackage: string): string | null {
  const path = Bun.which(name)
  if (path === null && process.env.CI) {
    throw new Error(`${name} is missing: install Debian's ${debianPackage} package (.ci/run does when it can)`)
  }
  if (path === null) console.warn(`[ops checks] ${name} not found (Debian package ${debianPackage}): its checks are skipped`)
  return path
}

/** Runs a command to completion; stdout and stderr together. */
export async function runCommand(cmd: string[], stdin?: string): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(cmd, { stdin: stdin === undefined ? "ignore" : new Blob([stdin]), stdout: "pipe", stderr: "pipe" })
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited])
  return { code, output: out + err }
}
