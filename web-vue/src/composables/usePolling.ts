import {
  computed,
  getCurrentScope,
  onScopeDispose,
  readonly,
  ref,
  toValue,
  type MaybeRefOrGetter,
  type Ref,
} from 'vue';

export interface PollingOptions {
  /** Pause between one answer and the next request, in ms. */
  interval: MaybeRefOrGetter<number>;
  /** Longest pause after repeated errors, in ms. */
  maxBackoff?: number;
  /** Start at once (default) or wait for `start()`. */
  immediate?: boolean;
}

export interface Polling {
  /** A request is in flight. */
  busy: Readonly<Ref<boolean>>;
  /** Consecutive failures; 0 after a success. */
  failures: Readonly<Ref<number>>;
  /** The last request failed: show a "reconnecting" hint. */
  failing: Readonly<Ref<boolean>>;
  start(): void;
  stop(): void;
  /** Poll now (after the request in flight, if any), then resume the rhythm. */
  trigger(): void;
  /** Drop the request in flight (its answer is ignored) and poll afresh, e.g. when the conversation changes. */
  restart(): void;
}

/**
 * Short polling done right: the next request is scheduled only after the previous answer,
 * errors back off exponentially, nothing runs while the tab is hidden or the browser is
 * offline (and it catches up at once when either comes back), and it stops with the
 * component or effect scope that created it. The task gets an AbortSignal that fires
 * when polling stops or restarts.
 */
export function usePolling(
  task: (signal: AbortSignal) => Promise<unknown>,
  options: PollingOptions,
): Polling {
  const maxBackoff = options.maxBackoff ?? 30_000;
  const busy = ref(false);
  const failures = ref(0);
  let active = false;
  let again = false;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let controller: AbortController | null = null;

  const paused = (): boolean =>
    (typeof document !== 'undefined' && document.visibilityState === 'hidden') ||
    (typeof navigator !== 'undefined' && navigator.onLine === false);

  function clearTimer(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function nextDelay(): number {
    const interval = toValue(options.interval);
    if (failures.value === 0) return interval;
    return Math.min(interval * 2 ** failures.value, Math.max(maxBackoff, interval));
  }

  function schedule(): void {
    clearTimer();
    if (!active || paused()) return;
    timer = setTimeout(() => void tick(), nextDelay());
  }

  async function tick(): Promise<void> {
    clearTimer();
    if (!active || paused()) return;
    if (busy.value) {
      again = true;
      return;
    }
    const mine = ++generation;
    controller = new AbortController();
    busy.value = true;
    try {
      await task(controller.signal);
      if (mine === generation) failures.value = 0;
    } catch (error) {
      const aborted = error instanceof DOMException && error.name === 'AbortError';
      if (mine === generation && !aborted) failures.value += 1;
    } finally {
      if (mine === generation) {
        busy.value = false;
        controller = null;
        if (again) {
          again = false;
          void tick();
        } else {
          schedule();
        }
      }
    }
  }

  function onWake(): void {
    if (!active) return;
    if (paused()) clearTimer();
    else void tick();
  }

  function start(): void {
    if (active) return;
    active = true;
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onWake);
    if (typeof window !== 'undefined') {
      window.addEventListener('online', onWake);
      window.addEventListener('offline', onWake);
    }
    void tick();
  }

  function stop(): void {
    active = false;
    again = false;
    generation++;
    clearTimer();
    controller?.abort();
    controller = null;
    busy.value = false;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onWake);
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', onWake);
      window.removeEventListener('offline', onWake);
    }
  }

  function trigger(): void {
    if (active) void tick();
  }

  function restart(): void {
    if (!active) return start();
    generation++;
    controller?.abort();
    controller = null;
    busy.value = false;
    again = false;
    failures.value = 0;
    void tick();
  }

  if (getCurrentScope()) onScopeDispose(stop);
  if (options.immediate !== false) start();

  return {
    busy: readonly(busy),
    failures: readonly(failures),
    failing: computed(() => failures.value > 0),
    start,
    stop,
    trigger,
    restart,
  };
}
