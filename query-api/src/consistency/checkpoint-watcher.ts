import { readCheckpoints } from '@chat/projections';
import type { Kysely } from 'kysely';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Knows how far the read models have got: the lowest checkpoint among the projectors, cached
 * for a few milliseconds so that thousands of polls per second cost one small query each 5 ms.
 */
export class CheckpointWatcher {
  private cached: { position: bigint; at: number } | null = null;
  private inflight: Promise<bigint> | null = null;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly db: Kysely<any>,
    private readonly projectors: readonly string[],
    private readonly freshMs = 5,
  ) {}

  /** The position every read model has reached. */
  async position(): Promise<bigint> {
    if (this.cached && Date.now() - this.cached.at < this.freshMs) return this.cached.position;
    this.inflight ??= this.refresh().finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** Waits until every read model has passed `position`, at most `timeoutMs`; answers whether it did. */
  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let pause = 2;
    for (;;) {
      if ((await this.position()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      pause = Math.min(pause * 2, 25);
    }
  }

  private async refresh(): Promise<bigint> {
    const checkpoints = await readCheckpoints(this.db);
    const ours = checkpoints.filter((c) => this.projectors.includes(c.name));
    const position = ours.length === 0 ? -1n : ours.reduce((min, c) => (c.position < min ? c.position : min), ours[0]!.position);
    this.cached = { position, at: Date.now() };
    return position;
  }
}
