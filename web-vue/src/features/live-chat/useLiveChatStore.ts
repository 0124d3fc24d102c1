import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import * as api from '../../api/livechat';
import { ApiError } from '../../api/http';
import { listTickets } from '../../api/tickets';
import { listUsers } from '../../api/users';
import type { Kpis, Session, SessionDetail, SessionMessage, Ticket, User } from '../../api/types';
import { newId } from '../../composables/ids';

export type { SessionFilter } from '../../api/livechat';

/** Another agent got the session first. */
export class SessionTakenError extends Error {
  constructor(readonly agentName: string | null) {
    super(
      agentName
        ? `${agentName} took this conversation first.`
        : 'Another agent took this conversation first.',
    );
    this.name = 'SessionTakenError';
  }
}

export interface PendingReply {
  id: string;
  sessionId: string;
  body: string;
  createdAt: string;
  status: 'sending' | 'sent' | 'failed';
  error: string | null;
}

const STAFF = new Set(['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT']);

export const useLiveChatStore = defineStore('live-chat', () => {
  const filter = ref<api.SessionFilter>('open');
  const sessions = ref<Session[]>([]);
  const sessionsLoaded = ref(false);
  const kpis = ref<Kpis | null>(null);
  const refreshedAt = ref<number | null>(null);
  const details = reactive<Record<string, SessionDetail>>({});
  const missing = reactive<Record<string, boolean>>({});
  /** Sessions another agent took first, with the sentence that says who. */
  const conflicts = reactive<Record<string, string>>({});
  const pending = ref<PendingReply[]>([]);
  const users = ref<User[]>([]);
  const tickets = ref<Ticket[]>([]);

  const agents = computed(() => users.value.filter((u) => u.active && STAFF.has(u.role)));

  /** KPI tiles and the list for the current tab, in one go. */
  async function refreshQueue(signal?: AbortSignal): Promise<void> {
    const wanted = filter.value;
    const [k, list] = await Promise.all([api.getKpis({ signal }), api.listSessions(wanted, { signal })]);
    kpis.value = k;
    if (wanted === filter.value) {
      sessions.value = list.data.items;
      sessionsLoaded.value = true;
    }
    refreshedAt.value = Date.now();
  }

  function setFilter(next: api.SessionFilter): void {
    if (next === filter.value) return;
    filter.value = next;
    sessionsLoaded.value = false;
  }

  async function loadSession(sessionId: string, signal?: AbortSignal): Promise<void> {
    try {
      const answer = await api.getSession(sessionId, { signal });
      missing[sessionId] = false;
      if (answer.notModified && details[sessionId]) return;
      details[sessionId] = answer.data;
      const arrived = new Set(answer.data.messages.map((m) => m.id));
      pending.value = pending.value.filter((p) => !arrived.has(p.id));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) missing[sessionId] = true;
      else throw error;
    }
  }

  async function loadPeople(): Promise<void> {
    users.value = (await listUsers()).items;
  }

  async function loadTickets(): Promise<void> {
    tickets.value = (await listTickets()).items;
  }

  /** Take (or join, when assigned to me) a session; a 409 names the agent who won. */
  async function take(sessionId: string): Promise<void> {
    try {
      await api.joinSession({ sessionId });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const winner = (error.details as { agent?: { name?: string } } | undefined)?.agent?.name;
        await loadSession(sessionId).catch(() => undefined);
        const taken = new SessionTakenError(winner ?? details[sessionId]?.agent?.name ?? null);
        conflicts[sessionId] = taken.message;
        throw taken;
      }
      throw error;
    }
    delete conflicts[sessionId];
    await loadSession(sessionId);
  }

  async function assign(sessionId: string, agentId: string): Promise<void> {
    await api.assignSession({ sessionId, agentId });
    await loadSession(sessionId);
  }

  async function release(sessionId: string): Promise<void> {
    await api.releaseSession({ sessionId });
    await loadSession(sessionId);
  }

  async function close(sessionId: string): Promise<void> {
    await api.closeSession({ sessionId });
    await loadSession(sessionId);
  }

  /** Sends (or re-sends) a reply; answers whether the server took it. */
  async function deliver(item: PendingReply): Promise<boolean> {
    item.status = 'sending';
    item.error = null;
    try {
      await api.postAgentMessage({ sessionId: item.sessionId, messageId: item.id, body: item.body });
      item.status = 'sent';
      return true;
    } catch (error) {
      item.status = 'failed';
      item.error = error instanceof Error ? error.message : 'Not sent';
      return false;
    }
  }

  /** Shows the reply at once; a failure stays visible, and Retry reuses the messageId. */
  async function reply(sessionId: string, body: string): Promise<PendingReply> {
    const item = reactive<PendingReply>({
      id: newId(),
      sessionId,
      body,
      createdAt: new Date().toISOString(),
      status: 'sending',
      error: null,
    });
    pending.value.push(item);
    if (await deliver(item)) await loadSession(sessionId).catch(() => undefined);
    return item;
  }

  async function retry(messageId: string): Promise<void> {
    const item = pending.value.find((p) => p.id === messageId);
    if (!item || item.status !== 'failed') return;
    if (await deliver(item)) await loadSession(item.sessionId).catch(() => undefined);
  }

  function discard(messageId: string): void {
    pending.value = pending.value.filter((p) => p.id !== messageId);
  }

  /** The transcript as shown: the server's messages, then my replies not yet confirmed. */
  function transcript(sessionId: string): (SessionMessage & { pending?: PendingReply })[] {
    const messages = details[sessionId]?.messages ?? [];
    const ids = new Set(messages.map((m) => m.id));
    const mine = pending.value
      .filter((p) => p.sessionId === sessionId && !ids.has(p.id))
      .map((p) => ({
        id: p.id,
        from: 'agent' as const,
        authorName: null,
        body: p.body,
        createdAt: p.createdAt,
        pending: p,
      }));
    return [...messages, ...mine];
  }

  async function linkToNewTicket(sessionId: string, subject: string): Promise<string> {
    const ticketId = newId();
    await api.linkSessionToTicket({ sessionId, newTicket: { ticketId, subject } });
    await loadSession(sessionId);
    return ticketId;
  }

  async function linkToTicket(sessionId: string, ticketId: string): Promise<void> {
    await api.linkSessionToTicket({ sessionId, ticketId });
    await loadSession(sessionId);
  }

  return {
    filter,
    sessions,
    sessionsLoaded,
    kpis,
    refreshedAt,
    details,
    missing,
    conflicts,
    pending,
    users,
    tickets,
    agents,
    refreshQueue,
    setFilter,
    loadSession,
    loadPeople,
    loadTickets,
    take,
    assign,
    release,
    close,
    reply,
    retry,
    discard,
    transcript,
    linkToNewTicket,
    linkToTicket,
  };
});
