import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/chat/api';
import { parseRetryAfter, pollDelay, sendRetryDelay } from '../src/chat/backoff';
import { Poller } from '../src/chat/poller';

const mid = () => 0.5; // no jitter

describe('pollDelay', () => {
  it('polls every 3 s while open, slower when closed or hidden', () => {
    const calm = { failures: 0, retryAfterMs: null };
    expect(pollDelay({ ...calm, panelOpen: true, pageVisible: true }, mid)).toBe(3_000);
    expect(pollDelay({ ...calm, panelOpen: false, pageVisible: true }, mid)).toBe(15_000);
    expect(pollDelay({ ...calm, panelOpen: true, pageVisible: false }, mid)).toBe(30_000);
  });

  it('backs off exponentially after failures, capped at 30 s', () => {
    const delays = [1, 2, 3, 4, 5, 6, 10].map((failures) =>
      pollDelay({ panelOpen: true, pageVisible: true, failures, retryAfterMs: null }, mid),
    );
    expect(delays).toEqual([3_000, 6_000, 12_000, 24_000, 30_000, 30_000, 30_000]);
  });

  it('spreads retries with ±20 % jitter', () => {
    const at = (r: number) =>
      pollDelay({ panelOpen: true, pageVisible: true, failures: 3, retryAfterMs: null }, () => r);
    expect(at(0)).toBe(9_600);
    expect(at(0.999999)).toBeLessThanOrEqual(14_400);
  });

  it('honours Retry-After from a 429', () => {
    expect(pollDelay({ panelOpen: true, pageVisible: true, failures: 1, retryAfterMs: 20_000 }, mid)).toBe(
      20_000,
    );
  });
});

describe('sendRetryDelay and Retry-After', () => {
  it('retries sends quickly at first, then every 10 s at most', () => {
    expect([1, 2, 3, 6, 20].map((a) => sendRetryDelay(a, null, mid))).toEqual([300, 480, 768, 3_146, 10_000]);
    expect(sendRetryDelay(1, 7_000, mid)).toBe(7_000);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('5')).toBe(5_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('Poller', () => {
  afterEach(() => vi.useRealTimers());

  it('waits for each answer, backs off on errors, reports reconnecting and recovery', async () => {
    vi.useFakeTimers();
    const outcomes = ['ok', 'fail', 'fail', 'ok'];
    const delays: number[] = [];
    const health: boolean[] = [];
    let calls = 0;
    let inFlight = 0;
    const poller = new Poller({
      poll: async () => {
        inFlight += 1;
        expect(inFlight).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight -= 1;
        if (outcomes[calls++] === 'fail') throw new ApiError(0, 'NETWORK', 'offline');
      },
      delay: (failures) => {
        const ms = pollDelay({ panelOpen: true, pageVisible: true, failures, retryAfterMs: null }, mid);
        delays.push(ms);
        return ms;
      },
      onHealth: (failing) => health.push(failing),
    });
    poller.start();
    poller.now(); // while the first poll is in flight: queued, not doubled
    await vi.advanceTimersByTimeAsync(100 + 100); // first answer, then the queued one
    await vi.advanceTimersByTimeAsync(3_000 + 100);
    await vi.advanceTimersByTimeAsync(6_000 + 100);
    poller.stop();
    expect(calls).toBe(4);
    // The queued poll runs right after the first (no delay); then 1 failure, 2 failures, recovered.
    expect(delays).toEqual([3_000, 6_000, 3_000]);
    expect(health).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(4);
  });
});
