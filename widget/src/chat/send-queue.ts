export type OutgoingState = 'queued' | 'sending' | 'retrying' | 'failed';

export interface OutgoingMessage {
  /** Chosen once, reused on every retry until the server acknowledges: the server dedupes on it. */
  readonly messageId: string;
  readonly body: string;
  state: OutgoingState;
  attempts: number;
  error: string | null;
}

export interface SendQueueOptions {
  /** Sends one message; resolves when the server acknowledged it, throws otherwise. */
  send(message: OutgoingMessage): Promise<void>;
  /** A failure that retrying cannot fix (validation, too large): the message is given up. */
  isPermanent(error: unknown): boolean;
  retryDelay(attempts: number, error: unknown): number;
  onChange(messages: readonly OutgoingMessage[]): void;
  onSent?(message: OutgoingMessage): void;
  newId?: () => string;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Outgoing visitor messages, delivered one at a time in the order they were written. A message
 * leaves the queue only when acknowledged; every retry carries its original `messageId`.
 */
export class SendQueue {
  private readonly items: OutgoingMessage[] = [];
  private draining = false;
  private wake: (() => void) | null = null;
  private timer: unknown = null;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly options: SendQueueOptions,
    restored: readonly { messageId: string; body: string }[] = [],
  ) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    for (const r of restored) this.items.push({ ...r, state: 'queued', attempts: 0, error: null });
    if (this.items.length) void this.drain();
  }

  get messages(): readonly OutgoingMessage[] {
    return this.items;
  }

  enqueue(body: string): OutgoingMessage {
    const message: OutgoingMessage = {
      messageId: (this.options.newId ?? (() => crypto.randomUUID()))(),
      body,
      state: 'queued',
      attempts: 0,
      error: null,
    };
    this.items.push(message);
    this.changed();
    void this.drain();
    return message;
  }

  /** Skips the wait before the next retry (the network came back, the visitor pressed Retry). */
  retryNow(): void {
    for (const m of this.items) {
      if (m.state !== 'failed') continue;
      m.state = 'queued';
      m.error = null;
    }
    this.wake?.();
    void this.drain();
  }

  /** Forgets a message that could not be delivered. */
  discard(messageId: string): void {
    const index = this.items.findIndex((m) => m.messageId === messageId && m.state === 'failed');
    if (index < 0) return;
    this.items.splice(index, 1);
    this.changed();
  }

  /** True when nothing is waiting to be sent (failed messages aside). */
  get idle(): boolean {
    return !this.items.some((m) => m.state !== 'failed');
  }

  private changed(): void {
    this.options.onChange(this.items);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.clearTimer(this.timer);
        this.wake = null;
        resolve();
      };
      this.timer = this.setTimer(() => this.wake?.(), ms);
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const next = this.items.find((m) => m.state !== 'failed');
        if (!next) return;
        next.state = 'sending';
        next.attempts += 1;
        this.changed();
        try {
          await this.options.send(next);
        } catch (error) {
          if (this.options.isPermanent(error)) {
            next.state = 'failed';
            next.error = error instanceof Error ? error.message : 'Not delivered.';
            this.changed();
            continue;
          }
          next.state = 'retrying';
          this.changed();
          await this.pause(this.options.retryDelay(next.attempts, error));
          continue;
        }
        this.items.splice(this.items.indexOf(next), 1);
        this.options.onSent?.(next);
        this.changed();
      }
    } finally {
      this.draining = false;
    }
  }
}
