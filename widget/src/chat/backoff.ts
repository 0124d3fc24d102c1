/** Poll every 3 s while the chat is open and the tab visible. */
export const POLL_OPEN_MS = 3_000;
/** Panel closed (the chat only keeps the unread badge current). */
export const POLL_CLOSED_MS = 15_000;
/** Tab in the background. */
export const POLL_HIDDEN_MS = 30_000;
export const POLL_MAX_BACKOFF_MS = 30_000;

export interface PollContext {
  panelOpen: boolean;
  pageVisible: boolean;
  /** Consecutive failed polls. */
  failures: number;
  /** What a 429 asked for, if anything. */
  retryAfterMs: number | null;
}

/** ±20 % so that many visitors whose network came back do not poll in lockstep. */
function jitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.8 + 0.4 * random()));
}

/** Delay before the next poll: the steady pace, or exponential back-off after failures. */
export function pollDelay(context: PollContext, random: () => number = Math.random): number {
  const steady = !context.pageVisible ? POLL_HIDDEN_MS : context.panelOpen ? POLL_OPEN_MS : POLL_CLOSED_MS;
  const backoff =
    context.failures > 0
      ? jitter(Math.min(POLL_MAX_BACKOFF_MS, POLL_OPEN_MS * 2 ** (context.failures - 1)), random)
      : 0;
  return Math.max(steady, backoff, context.retryAfterMs ?? 0);
}

/**
 * Delay before re-sending a message after its `attempts`-th failed try: a blip is retried within
 * a third of a second, a longer outage every 10 s at most.
 */
export function sendRetryDelay(
  attempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const backoff = jitter(Math.min(10_000, 300 * 1.6 ** Math.max(0, attempts - 1)), random);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** Retry-After as milliseconds (seconds or an HTTP date), null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
