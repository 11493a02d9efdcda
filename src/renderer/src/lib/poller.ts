// One pull loop: runs `tick` every `intervalMs` only while `shouldRun()` holds (something is active
// and the page is visible). Ticks never overlap; when `shouldRun()` turns false the loop stops and
// costs nothing until `kick()` is called again (a new watch, a visibility change, a started job).

export interface PollerOptions {
  intervalMs: number;
  shouldRun(): boolean;
  tick(): Promise<void>;
  /** Injected for tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class Poller {
  private timer: unknown = null;
  private inFlight = false;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly o: PollerOptions) {
    this.setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get running(): boolean {
    return this.timer !== null || this.inFlight;
  }

  /** Re-evaluates: schedules the next tick if there is work, cancels the pending one if not. */
  kick(): void {
    if (this.inFlight) return; // the tick in progress reschedules itself when it ends
    if (!this.o.shouldRun()) {
      this.stop();
      return;
    }
    if (this.timer === null) this.timer = this.setTimer(() => void this.run(), this.o.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    this.timer = null;
    if (!this.o.shouldRun()) return;
    this.inFlight = true;
    try {
      await this.o.tick();
    } catch {
      // A failed pull is retried on the next tick; the store shows the error.
    } finally {
      this.inFlight = false;
    }
    this.kick();
  }
}
