import { readCheckpoints } from '@chat/projections';
import type { Kysely } from 'kysely';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the read models reflect, read in one go. */
export interface ReadModelState {
  /** The position every read model served here has reached. */
  position: bigint;
  /** The position at which each projector last changed its read model, as a decimal string. */
  changed: ReadonlyMap<string, string>;
}

/** The part of the event store the watcher needs: the head of the log, and word of every append. */
export interface AppendSignal {
  headPosition(): Promise<bigint>;
  onAppended(listener: () => void): () => void;
}

export interface CheckpointWatcherOptions {
  /** Without it the watcher cannot know that nothing changes, and reads the checkpoints every `freshMs`. */
  appends?: AppendSignal;
  /** How old an answer may be while the read models may still be moving. */
  freshMs?: number;
  /**
   * How old an answer may be once every read model had reached the head of the log and no append
   * was announced since: nothing can change then, this only bounds what no append announces (a
   * rebuild swapping tables, a wake-up lost to a broken connection).
   */
  settledMs?: number;
}

/**
 * Knows how far the read models have got and where each last changed: the checkpoint table, read
 * at most once per `freshMs` while projectors may be moving. Once every read model has reached the
 * head of the log, nothing can change them before the next append, which the event store announces
 * (in-process at once, from other processes by NOTIFY); until then the watcher answers from memory,
 * so that an unchanged poll costs no database round trip at all.
 */
export class CheckpointWatcher {
  private state: ReadModelState | null = null;
  private readAt = 0;
  private settled = false;
  private announced = 0;
  private inflight: Promise<ReadModelState> | null = null;
  private readonly stopListening: (() => void) | null;
  private readonly freshMs: number;
  private readonly settledMs: number;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly db: Kysely<any>,
    private readonly projectors: readonly string[],
    private readonly options: CheckpointWatcherOptions = {},
  ) {
    this.freshMs = options.freshMs ?? 5;
    this.settledMs = options.settledMs ?? 1_000;
    this.stopListening =
      options.appends?.onAppended(() => {
        this.announced++;
        this.settled = false;
      }) ?? null;
  }

  close(): void {
    this.stopListening?.();
  }

  /** What the read models reflect now (at most `freshMs` ago, or nothing has changed since). */
  current(): Promise<ReadModelState> {
    const state = this.state;
    if (state) {
      const age = Date.now() - this.readAt;
      if (age < this.freshMs || (this.settled && age < this.settledMs)) return Promise.resolve(state);
    }
    return this.refresh();
  }

  /** The position every read model has reached. */
  async position(): Promise<bigint> {
    return (await this.current()).position;
  }

  /** Where a projector last changed its read model ('-1': never). */
  async changedPosition(projector: string): Promise<string> {
    return (await this.current()).changed.get(projector) ?? '-1';
  }

  /** Waits until every read model has passed `position`, at most `timeoutMs`; answers whether it did. */
  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let pause = 2;
    for (;;) {
      if ((await this.position()) >= position) return true;
      // Someone has seen a position we have not: an append we have not heard of yet.
      this.settled = false;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      // Looking again costs little (a read of the checkpoints shared by every waiter, at most one
      // per freshMs), and every millisecond slept past the projector's commit is the reader's wait.
      pause = Math.min(pause * 2, this.freshMs);
    }
  }

  private refresh(): Promise<ReadModelState> {
    this.inflight ??= this.read().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async read(): Promise<ReadModelState> {
    const startedAt = Date.now();
    const announced = this.announced;
    const [head, checkpoints] = await Promise.all([
      this.options.appends?.headPosition() ?? Promise.resolve(null),
      readCheckpoints(this.db),
    ]);
    const ours = checkpoints.filter((c) => this.projectors.includes(c.name));
    const position =
      ours.length === 0
        ? -1n
        : ours.reduce((min, c) => (c.position < min ? c.position : min), ours[0]!.position);
    const state: ReadModelState = {
      position,
      changed: new Map(checkpoints.map((c) => [c.name, c.changedPosition.toString()])),
    };
    this.state = state;
    this.readAt = startedAt;
    // Every read model had reached the head when the checkpoints were read: the next change needs an append.
    this.settled = head !== null && ours.length > 0 && position >= head && announced === this.announced;
    return state;
  }
}
