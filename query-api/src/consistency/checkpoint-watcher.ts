import { parseProgress, PROGRESS_CHANNEL, readCheckpoints, type Checkpoint } from '@chat/projections';
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

/** LISTEN on the read models' database, where projectors announce their progress. */
export interface ProgressSignal {
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface CheckpointWatcherOptions {
  /** Without it (or progress) the watcher cannot know that nothing changes, and reads the checkpoints every `freshMs`. */
  appends?: AppendSignal;
  /**
   * Projectors' announcements of every checkpoint they commit: with them the watcher knows at once
   * where each stands, and reads the checkpoint table only every `settledMs` (in case one was
   * missed, or a rebuild swapped tables in), not every `freshMs` while projectors move.
   */
  progress?: ProgressSignal;
  /** How old an answer may be while the read models may still be moving. */
  freshMs?: number;
  /**
   * How old an answer may be once every read model had reached the head of the log and no append
   * was announced since, or while projectors announce their progress: nothing can change unheard
   * then, this only bounds what nothing announces (a rebuild swapping tables, a wake-up lost to a
   * broken connection).
   */
  settledMs?: number;
}

/**
 * Knows how far the read models have got and where each last changed. Projectors announce every
 * checkpoint with its commit: the watcher keeps what they say, and answers from memory, so that
 * a poll costs no database round trip for it. Without announcements it reads the checkpoint table,
 * at most once per `freshMs` while projectors may be moving; once every read model has reached the
 * head of the log, nothing can change them before the next append, which the event store
 * announces (in-process at once, from other processes by NOTIFY), so it answers from memory then.
 */
export class CheckpointWatcher {
  private state: ReadModelState | null = null;
  /** Each checkpoint as last read or announced. */
  private readonly checkpoints = new Map<string, Omit<Checkpoint, 'updatedAt'>>();
  private readAt = 0;
  private settled = false;
  private announced = 0;
  private progressHeard = 0;
  /** Projectors' announcements are being heard (start() succeeded). */
  private hearing = false;
  private inflight: Promise<ReadModelState> | null = null;
  private readonly stopListening: (() => void) | null;
  private stopHearingProgress: Promise<(() => Promise<void>) | null> = Promise.resolve(null);
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
        // Hearing the projectors, an append changes nothing until one of them says so.
        if (!this.hearing) this.settled = false;
      }) ?? null;
  }

  /** Starts hearing projectors' announcements (when given them); until then it reads the table. */
  async start(): Promise<void> {
    const progress = this.options.progress;
    if (!progress) return;
    this.stopHearingProgress = progress.listen(PROGRESS_CHANNEL, (payload) => this.heard(payload));
    await this.stopHearingProgress;
    this.hearing = true;
  }

  async close(): Promise<void> {
    this.stopListening?.();
    await (
      await this.stopHearingProgress.catch(() => null)
    )?.();
  }

  /** What the read models reflect now (at most `freshMs` ago, or nothing has changed unheard since). */
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
      // Someone has seen a position we have not: an append (or an announcement) not heard of yet.
      this.settled = false;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      // Looking again costs little (a read of the checkpoints shared by every waiter, at most one
      // per freshMs), and every millisecond slept past the projector's commit is the reader's wait.
      pause = Math.min(pause * 2, this.freshMs);
    }
  }

  private heard(payload: string): void {
    const progress = parseProgress(payload);
    if (!progress) {
      // The listening connection (re)connected: what was announced meanwhile is in the table.
      if (payload === '') this.readAt = 0;
      return;
    }
    this.progressHeard++;
    const known = this.checkpoints.get(progress.name);
    if (known && known.position >= progress.position) return;
    this.checkpoints.set(progress.name, progress);
    if (this.state) this.state = this.summarize();
  }

  private refresh(): Promise<ReadModelState> {
    this.inflight ??= this.read().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async read(): Promise<ReadModelState> {
    const startedAt = Date.now();
    const announced = this.announced;
    const heard = this.progressHeard;
    const hearing = this.hearing;
    const [head, checkpoints] = await Promise.all([
      hearing ? Promise.resolve(null) : (this.options.appends?.headPosition() ?? Promise.resolve(null)),
      readCheckpoints(this.db),
    ]);
    // The table is the truth (a swapped-in rebuild may stand elsewhere); what was announced while
    // it was being read is newer than what the read found.
    const fresher = heard === this.progressHeard ? [] : [...this.checkpoints.values()];
    this.checkpoints.clear();
    for (const c of checkpoints) this.checkpoints.set(c.name, c);
    for (const c of fresher) {
      const read = this.checkpoints.get(c.name);
      if (!read || read.position < c.position) this.checkpoints.set(c.name, c);
    }
    this.state = this.summarize();
    this.readAt = startedAt;
    const ours = checkpoints.filter((c) => this.projectors.includes(c.name));
    // Hearing every checkpoint as it commits, nothing changes unheard. Otherwise: every read model
    // had reached the head when the checkpoints were read, so the next change needs an append.
    this.settled = hearing
      ? ours.length > 0
      : head !== null && ours.length > 0 && this.state.position >= head && announced === this.announced;
    return this.state;
  }

  private summarize(): ReadModelState {
    const ours = this.projectors.map((name) => this.checkpoints.get(name)).filter((c) => c !== undefined);
    const position =
      ours.length === 0
        ? -1n
        : ours.reduce((min, c) => (c.position < min ? c.position : min), ours[0]!.position);
    const changed = new Map(
      [...this.checkpoints.values()].map((c) => [c.name, c.changedPosition.toString()]),
    );
    return { position, changed };
  }
}
