import type { VisitorSession } from './api';

export interface VisitorProfile {
  name: string;
  email: string;
}

/** Everything the chat remembers between page loads, in this (the portal's) origin only. */
export interface StoredChat {
  profile: VisitorProfile | null;
  session: VisitorSession | null;
  /** Messages written but not yet acknowledged, with their ids, so a reload resumes them. */
  outbox: { messageId: string; body: string }[];
  /** Agent and bot messages the visitor has seen in the current session (for the unread badge). */
  seen: number;
  /** Articles the visitor marked "this solved it" in the current session. */
  solved: string[];
}

const EMPTY: StoredChat = { profile: null, session: null, outbox: [], seen: 0, solved: [] };

function localStore(): Storage | null {
  try {
    const storage = window.localStorage;
    storage.getItem('portal-chat:probe');
    return storage;
  } catch {
    return null; // storage blocked: the chat still works for this page view
  }
}

function parse(raw: string | null): StoredChat {
  if (!raw) return { ...EMPTY };
  try {
    const v = JSON.parse(raw) as Partial<StoredChat>;
    const session =
      v.session && typeof v.session.sessionId === 'string' && typeof v.session.token === 'string'
        ? { sessionId: v.session.sessionId, token: v.session.token }
        : null;
    const profile =
      v.profile && typeof v.profile.name === 'string'
        ? { name: v.profile.name, email: typeof v.profile.email === 'string' ? v.profile.email : '' }
        : null;
    const outbox = Array.isArray(v.outbox)
      ? v.outbox.filter((m) => m && typeof m.messageId === 'string' && typeof m.body === 'string')
      : [];
    return {
      profile,
      session,
      outbox,
      seen: typeof v.seen === 'number' ? v.seen : 0,
      solved: Array.isArray(v.solved) ? v.solved.filter((s) => typeof s === 'string') : [],
    };
  } catch {
    return { ...EMPTY };
  }
}

/** The stored chat of one widget key; falls back to memory when storage is unavailable. */
export function chatStorage(widgetKey: string, storage: Storage | null = localStore()) {
  const name = `portal-chat:${widgetKey}`;
  let memory = parse(storage?.getItem(name) ?? null);
  return {
    load(): StoredChat {
      return memory;
    },
    save(patch: Partial<StoredChat>): void {
      memory = { ...memory, ...patch };
      try {
        storage?.setItem(name, JSON.stringify(memory));
      } catch {
        // quota or privacy mode: keep the in-memory copy
      }
    },
  };
}

export type ChatStorage = ReturnType<typeof chatStorage>;
