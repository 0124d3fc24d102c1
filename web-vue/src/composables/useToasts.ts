import { reactive, readonly } from 'vue';

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
}

const toasts = reactive<Toast[]>([]);
let nextId = 1;

function dismiss(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

function show(text: string, kind: Toast['kind'] = 'info', ms = 5_000): void {
  const id = nextId++;
  toasts.push({ id, kind, text });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => dismiss(id), ms);
}

/** Short-lived notices for outcomes that have no place on screen (a failed reaction, a saved article). */
export function useToasts() {
  return {
    toasts: readonly(toasts),
    dismiss,
    info: (text: string) => show(text, 'info'),
    success: (text: string) => show(text, 'success'),
    error: (text: string) => show(text, 'error', 7_000),
  };
}

/** A person-readable message for any thrown value. */
export function errorText(error: unknown, fallback = 'Something went wrong'): string {
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}
