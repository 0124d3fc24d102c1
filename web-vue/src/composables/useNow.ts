import { getCurrentScope, onScopeDispose, readonly, ref, type Ref } from 'vue';

const now = ref(Date.now());
let subscribers = 0;
let timer: ReturnType<typeof setInterval> | null = null;

/**
 * The current time as a ref that ticks while someone uses it (live "2m" durations).
 * One shared interval for the whole page.
 */
export function useNow(): Readonly<Ref<number>> {
  subscribers++;
  if (timer === null) {
    now.value = Date.now();
    timer = setInterval(() => (now.value = Date.now()), 1_000);
  }
  if (getCurrentScope()) {
    onScopeDispose(() => {
      subscribers--;
      if (subscribers === 0 && timer !== null) {
        clearInterval(timer);
        timer = null;
      }
    });
  }
  return readonly(now);
}
