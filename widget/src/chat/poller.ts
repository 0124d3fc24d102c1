export interface PollerOptions {
  /** One poll; throws on failure. */
  poll(): Promise<void>;
  /** Delay before the next poll, given the consecutive failures so far and the error's retry hint. */
  delay(failures: number, error: unknown): number;
  /** Called when polling starts failing, and again when it recovers. */
  onHealth(failing: boolean): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Polls again only after the previous answer arrived (never two requests in flight), backs off
 * while failing, and can be nudged to poll right away.
 */
export class Poller {
  private running = false;
  private inFlight = false;
  private again = false;
  private failures = 0;
  private timer: unknown = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: PollerOptions) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.now();
  }

  stop(): void {
    this.running = false;
    this.again = false;
    this.clearTimer(this.timer);
  }

  /** Polls as soon as possible (after the one in flight, if any). */
  now(): void {
    if (!this.running) return;
    this.clearTimer(this.timer);
    if (this.inFlight) this.again = true;
    else void this.run();
  }

  private async run(): Promise<void> {
    this.inFlight = true;
    let error: unknown = null;
    try {
      await this.options.poll();
      if (this.failures > 0) {
        this.failures = 0;
        this.options.onHealth(false);
      }
    } catch (e) {
      error = e;
      this.failures += 1;
      if (this.failures === 1) this.options.onHealth(true);
    } finally {
      this.inFlight = false;
    }
    if (!this.running) return;
    if (this.again) {
      this.again = false;
      return this.run();
    }
    this.timer = this.setTimer(() => void this.run(), this.options.delay(this.failures, error));
  }
}
