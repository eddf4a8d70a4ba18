/**
 * Where the webhook reads event-loop pressure, its load-shedding signal. The server measures it
 * with a `LoadMonitor`; tests pass a source whose lag they set, so a busy machine cannot make a
 * test shed (or fail to shed).
 */
export interface LagSource {
  /** Milliseconds the event loop is behind now. */
  readonly lagMs: number;
}

/**
 * Event-loop pressure measured as a late timer. Rules run synchronously, so an overloaded process
 * shows it as a tick scheduled every `intervalMs` that fires late by the time the loop spent on
 * queued requests. `lagMs` also counts the time since the last tick, so requests handled inside
 * one long batch see the pressure before the timer can fire again.
 */
export class LoadMonitor implements LagSource {
  private timer: NodeJS.Timeout | undefined;
  private lastTick = performance.now();
  private lastLag = 0;

  constructor(private readonly intervalMs = 20) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.lastTick = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - this.lastTick - this.intervalMs);
      // A single calm tick does not clear a high reading at once: decay it.
      this.lastLag = Math.max(lag, this.lastLag / 2);
      this.lastTick = now;
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Milliseconds the event loop is behind: the larger of the last measured lag and the current gap. */
  get lagMs(): number {
    if (this.timer === undefined) return 0;
    return Math.max(this.lastLag, performance.now() - this.lastTick - this.intervalMs);
  }
}
