import { getCurrentScope, onScopeDispose, readonly, ref, type Ref } from 'vue';

/** Whether a CSS media query matches, kept up to date. */
export function useMediaQuery(query: string): Readonly<Ref<boolean>> {
  const list = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query) : null;
  const matches = ref(list?.matches ?? false);
  const update = (event: MediaQueryListEvent) => (matches.value = event.matches);
  list?.addEventListener('change', update);
  if (getCurrentScope()) onScopeDispose(() => list?.removeEventListener('change', update));
  return readonly(matches);
}

export const NARROW_QUERY = '(max-width: 767px)';
