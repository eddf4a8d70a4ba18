/** Where a long scan stands, on one line of a terminal. */
export interface ProgressSink {
  /** More files checked, with the resources they held. */
  add: (files: number, resources: number) => void;
  /** Clear the line before the report is written. */
  done: () => void;
}

const INTERVAL_MS = 100;

/**
 * Progress on standard error: only on a terminal, and never when CI is set (CI logs are not terminals, but some
 * runners fake one), so redirected or CI output never holds it. The first file shows at once, then at most ten
 * updates a second; `done` clears the line. Undefined when there is nothing to show.
 */
export function progressFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): ProgressSink | undefined {
  if (!stream.isTTY || (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false')) return undefined;
  const started = performance.now();
  let files = 0;
  let resources = 0;
  let shown = -Infinity;
  let drawn = false;
  const draw = (now: number): void => {
    const seconds = Math.max((now - started) / 1000, 0.001);
    const rate = Math.round(resources / seconds);
    stream.write(`\r\x1b[Kscanning: ${files.toLocaleString('en')} file${files === 1 ? '' : 's'}, ${resources.toLocaleString('en')} resource${resources === 1 ? '' : 's'}, ${rate.toLocaleString('en')} resources/s`);
    shown = now;
    drawn = true;
  };
  return {
    add: (moreFiles, moreResources) => {
      files += moreFiles;
      resources += moreResources;
      const now = performance.now();
      if (now - shown >= INTERVAL_MS) draw(now);
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
