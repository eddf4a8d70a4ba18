/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Failing findings (deny, or the `--fail-on` level), rule errors, or files that cannot be read or parsed. */
export const EXIT_FINDINGS = 1;
/** Usage error, a path that does not exist, invalid config or unreadable `--cluster-state`. */
export const EXIT_USAGE = 2;

/** A problem the user must fix before anything can be checked; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
