import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, nextTick } from 'vue';
import { usePolling } from './usePolling';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let visibility: DocumentVisibilityState = 'visible';

function setVisibility(state: DocumentVisibilityState): void {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Lets pending promise callbacks run without moving the fake clock. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await nextTick();
}

describe('usePolling', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    visibility = 'visible';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks again only after the previous answer, then waits the interval', async () => {
    const answers: ReturnType<typeof deferred>[] = [];
    const task = vi.fn(() => {
      const d = deferred();
      answers.push(d);
      return d.promise;
    });
    const scope = effectScope();
    scope.run(() => usePolling(task, { interval: 3_000 }));

    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(task).toHaveBeenCalledTimes(1); // still waiting for the first answer

    answers[0]!.resolve();
    await flush();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    scope.stop();
  });

  it('backs off exponentially on errors, shows it, and recovers on success', async () => {
    let fail = true;
    const task = vi.fn(() => (fail ? Promise.reject(new Error('down')) : Promise.resolve()));
    const scope = effectScope();
    const polling = scope.run(() => usePolling(task, { interval: 1_000, maxBackoff: 5_000 }))!;
    await flush();
    expect(polling.failing.value).toBe(true);
    expect(polling.failures.value).toBe(1);

    await vi.advanceTimersByTimeAsync(1_999);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1); // 2 s after one failure
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1); // 4 s after two
    expect(task).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(5_000); // capped at 5 s
    expect(task).toHaveBeenCalledTimes(4);

    fail = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(task).toHaveBeenCalledTimes(5);
    expect(polling.failing.value).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000); // back to the normal rhythm
    expect(task).toHaveBeenCalledTimes(6);
    scope.stop();
  });

  it('pauses while the tab is hidden and catches up at once when it returns', async () => {
    const task = vi.fn(() => Promise.resolve());
    const scope = effectScope();
    scope.run(() => usePolling(task, { interval: 3_000 }));
    await flush();
    expect(task).toHaveBeenCalledTimes(1);

    setVisibility('hidden');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(1);

    setVisibility('visible');
    await flush();
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(task).toHaveBeenCalledTimes(3);
    scope.stop();
  });

  it('stops with its scope (component unmount) and aborts the request in flight', async () => {
    let signal: AbortSignal | undefined;
    const task = vi.fn((s: AbortSignal) => {
      signal = s;
      return new Promise<void>(() => undefined);
    });
    const scope = effectScope();
    scope.run(() => usePolling(task, { interval: 1_000 }));
    expect(signal?.aborted).toBe(false);
    scope.stop();
    expect(signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('trigger during a request polls again right after its answer; restart drops a stale answer', async () => {
    const answers: ReturnType<typeof deferred>[] = [];
    const task = vi.fn(() => {
      const d = deferred();
      answers.push(d);
      return d.promise;
    });
    const scope = effectScope();
    const polling = scope.run(() => usePolling(task, { interval: 10_000 }))!;
    polling.trigger();
    expect(task).toHaveBeenCalledTimes(1);
    answers[0]!.resolve();
    await flush();
    expect(task).toHaveBeenCalledTimes(2); // the trigger, without waiting 10 s

    polling.restart(); // e.g. the user opened another conversation
    expect(task).toHaveBeenCalledTimes(3);
    answers[1]!.reject(new Error('late failure of the old conversation'));
    await flush();
    expect(polling.failing.value).toBe(false);
    scope.stop();
  });
});
