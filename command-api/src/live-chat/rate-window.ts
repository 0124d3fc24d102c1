/**
 * Counts hits per key in fixed windows, in memory (each API instance counts its own share).
 * Answers how many seconds a refused caller should wait.
 */
export class RateWindows {
  private readonly windows = new Map<string, { started: number; hits: number }>();
  private lastSweep: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastSweep = now();
  }

  /** Records a hit; 0 when it is allowed, else the seconds until the window ends. */
  hit(key: string, max: number, windowMs: number): number {
    const now = this.now();
    this.sweep(now, windowMs);
    let window = this.windows.get(key);
    if (!window || now - window.started >= windowMs) {
      window = { started: now, hits: 0 };
      this.windows.set(key, window);
    }
    if (window.hits >= max) return Math.max(1, Math.ceil((window.started + windowMs - now) / 1000));
    window.hits++;
    return 0;
  }

  private sweep(now: number, windowMs: number): void {
    if (now - this.lastSweep < 60_000 && this.windows.size < 50_000) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows)
      if (now - window.started >= Math.max(windowMs, 60_000)) this.windows.delete(key);
  }
}
