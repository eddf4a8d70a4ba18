/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Failing findings (deny, or the `--fail-on` level) or rule errors. */
export const EXIT_FINDINGS = 1;
/** Usage error, unreadable input, YAML/JSON syntax error, invalid config. */
export const EXIT_USAGE = 2;

/** A problem the user must fix before anything can be checked; printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
