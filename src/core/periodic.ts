// A background job run at start and then every interval (retention, rollups): a run never
// overlaps the one before it (a tick that finds one running is skipped), and stop() waits for the
// run in progress. The job handles its own errors; a rejection here is only swallowed.

/** A started periodic job. */
export interface PeriodicJob {
  /** No further runs; resolves once the run in progress (if any) has finished. */
  stop(): Promise<void>;
}

/** Runs `run` now and every `intervalMs` (unref'd timer) until stopped. */
export function startPeriodic(run: () => Promise<unknown>, intervalMs: number): PeriodicJob {
  let running: Promise<unknown> | undefined;
  const tick = (): void => {
    if (running) return;
    running = run()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
