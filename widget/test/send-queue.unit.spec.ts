import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/chat/api';
import { SendQueue, type OutgoingMessage, type SendQueueOptions } from '../src/chat/send-queue';

/** Deterministic pseudo-random numbers, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A server that dedupes on messageId, like the widget API. */
function idempotentServer() {
  const stored = new Map<string, string>();
  const log: string[] = [];
  return {
    log,
    receive(m: OutgoingMessage) {
      if (stored.has(m.messageId)) return;
      stored.set(m.messageId, m.body);
      log.push(m.body);
    },
  };
}

const base = (over: Partial<SendQueueOptions>): SendQueueOptions => ({
  send: async () => {},
  isPermanent: (e) => e instanceof ApiError && e.status === 400,
  retryDelay: () => 0,
  onChange: () => {},
  ...over,
});

describe('SendQueue', () => {
  it.each([1, 2, 3, 4, 5])(
    'delivers 50 messages over a flaky network exactly once, in order, one id each (seed %i)',
    async (seed) => {
      const random = seeded(seed);
      const server = idempotentServer();
      const idsByBody = new Map<string, Set<string>>();
      let inFlight = 0;
      let maxInFlight = 0;
      const queue = new SendQueue(
        base({
          send: async (m) => {
            idsByBody.set(m.body, (idsByBody.get(m.body) ?? new Set()).add(m.messageId));
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            try {
              await new Promise((resolve) => setTimeout(resolve, random() * 2));
              const roll = random();
              if (roll < 0.25) throw new ApiError(0, 'NETWORK', 'request lost');
              if (roll < 0.35) throw new ApiError(503, 'UNAVAILABLE', 'try later');
              server.receive(m);
              if (roll < 0.55) throw new ApiError(0, 'NETWORK', 'answer lost');
            } finally {
              inFlight -= 1;
            }
          },
        }),
      );
      const bodies = Array.from({ length: 50 }, (_, i) => `message ${i + 1}`);
      for (const body of bodies) queue.enqueue(body);
      await until(() => queue.idle);

      expect(server.log).toEqual(bodies);
      for (const body of bodies) expect(idsByBody.get(body)?.size).toBe(1);
      expect(maxInFlight).toBe(1);
      expect(queue.messages).toHaveLength(0);
    },
  );

  it('reports each state change and keeps the id through retries', async () => {
    const states: string[] = [];
    const ids = new Set<string>();
    let calls = 0;
    const queue = new SendQueue(
      base({
        send: async (m) => {
          ids.add(m.messageId);
          calls += 1;
          if (calls < 3) throw new ApiError(0, 'NETWORK', 'offline');
        },
        onChange: (messages) =>
          states.push(messages.map((m) => `${m.state}#${m.attempts}`).join(',') || 'empty'),
      }),
    );
    queue.enqueue('hello');
    await until(() => queue.idle);
    expect(ids.size).toBe(1);
    expect(states).toEqual([
      'queued#0',
      'sending#1',
      'retrying#1',
      'sending#2',
      'retrying#2',
      'sending#3',
      'empty',
    ]);
  });

  it('gives up on a permanent failure without blocking the messages behind it', async () => {
    const server = idempotentServer();
    const queue = new SendQueue(
      base({
        send: async (m) => {
          if (m.body === 'bad') throw new ApiError(400, 'VALIDATION', 'body too long');
          server.receive(m);
        },
      }),
    );
    queue.enqueue('one');
    const bad = queue.enqueue('bad');
    queue.enqueue('three');
    await until(() => queue.idle);
    expect(server.log).toEqual(['one', 'three']);
    expect(queue.messages).toEqual([
      expect.objectContaining({ messageId: bad.messageId, state: 'failed', error: 'body too long' }),
    ]);
    queue.discard(bad.messageId);
    expect(queue.messages).toHaveLength(0);
  });

  it('resumes messages restored from storage with their original ids', async () => {
    const sent: string[] = [];
    const queue = new SendQueue(base({ send: async (m) => void sent.push(`${m.messageId}:${m.body}`) }), [
      { messageId: 'id-1', body: 'first' },
      { messageId: 'id-2', body: 'second' },
    ]);
    await until(() => queue.idle);
    expect(sent).toEqual(['id-1:first', 'id-2:second']);
  });

  it('retries at once when woken instead of waiting out the back-off', async () => {
    let calls = 0;
    const queue = new SendQueue(
      base({
        send: async () => {
          calls += 1;
          if (calls === 1) throw new ApiError(0, 'NETWORK', 'offline');
        },
        retryDelay: () => 60_000,
      }),
    );
    queue.enqueue('hello');
    await until(() => calls === 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(queue.idle).toBe(false);
    queue.retryNow();
    await until(() => queue.idle, 1_000);
    expect(calls).toBe(2);
  });
});
