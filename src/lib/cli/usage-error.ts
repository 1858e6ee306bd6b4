/** A command line the program cannot run: unknown flag, missing or bad value, wrong arguments. Exit 2. */
export class UsageError extends Error {
  override name = "UsageError"
}
