import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { ApiError } from '../../api/http';
import type { Session, SessionDetail } from '../../api/types';

vi.mock('../../api/livechat', () => ({
  getKpis: vi.fn(),
  listSessions: vi.fn(),
  getSession: vi.fn(),
  joinSession: vi.fn(),
  assignSession: vi.fn(),
  releaseSession: vi.fn(),
  closeSession: vi.fn(),
  postAgentMessage: vi.fn(),
  linkSessionToTicket: vi.fn(),
}));
vi.mock('../../api/tickets', () => ({ listTickets: vi.fn() }));
vi.mock('../../api/users', () => ({ listUsers: vi.fn() }));

const api = await import('../../api/livechat');
const { SessionTakenError, useLiveChatStore } = await import('./useLiveChatStore');

const session: Session = {
  id: 's1',
  visitorName: 'Olivia Hart',
  visitorEmail: null,
  status: 'WAITING',
  agent: null,
  messageCount: 1,
  waitingSince: '2026-01-01T10:00:00Z',
  startedAt: '2026-01-01T10:00:00Z',
  closedAt: null,
  ticketId: null,
};
const detail = (patch: Partial<SessionDetail> = {}): SessionDetail => ({
  ...session,
  messages: [],
  ...patch,
});
const answer = <T>(data: T) => ({ data, notModified: false, position: null });

describe('useLiveChatStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.resetAllMocks();
  });

  it('refreshes KPIs and the sessions of the selected tab', async () => {
    const store = useLiveChatStore();
    vi.mocked(api.getKpis).mockResolvedValue({ waiting: 1, active: 0, unassigned: 1, closed: 0 });
    vi.mocked(api.listSessions).mockResolvedValue(answer({ items: [session] }));
    store.setFilter('waiting');
    await store.refreshQueue();
    expect(api.listSessions).toHaveBeenCalledWith('waiting', expect.anything());
    expect(store.kpis?.waiting).toBe(1);
    expect(store.sessions).toEqual([session]);
    expect(store.sessionsLoaded).toBe(true);
  });

  it('tells the losing agent who took the session', async () => {
    const store = useLiveChatStore();
    vi.mocked(api.joinSession).mockRejectedValueOnce(
      new ApiError(409, 'SESSION_TAKEN', 'Conflict', { agent: { id: 'a2', name: 'Sam Patel' } }),
    );
    vi.mocked(api.getSession).mockResolvedValue(
      answer(detail({ status: 'ACTIVE', agent: { id: 'a2', name: 'Sam Patel' } })),
    );
    const error = await store.take('s1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionTakenError);
    expect((error as Error).message).toBe('Sam Patel took this conversation first.');
    expect(store.details.s1?.agent?.name).toBe('Sam Patel');
    expect(store.conflicts.s1).toBe('Sam Patel took this conversation first.');
  });

  it('shows a reply at once; a failed one is retried with the same messageId', async () => {
    const store = useLiveChatStore();
    vi.mocked(api.getSession).mockResolvedValue(answer(detail({ status: 'ACTIVE' })));
    await store.loadSession('s1');

    vi.mocked(api.postAgentMessage).mockRejectedValueOnce(
      new ApiError(0, 'NETWORK', 'Cannot reach the server'),
    );
    const reply = await store.reply('s1', 'Hello Olivia');
    const shown = store.transcript('s1');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ from: 'agent', body: 'Hello Olivia', pending: { status: 'failed' } });

    vi.mocked(api.postAgentMessage).mockResolvedValueOnce({ position: '9' });
    vi.mocked(api.getSession).mockResolvedValueOnce(
      answer(
        detail({
          status: 'ACTIVE',
          messages: [
            { id: reply.id, from: 'agent', authorName: 'Mitch', body: 'Hello Olivia', createdAt: 'x' },
          ],
        }),
      ),
    );
    await store.retry(reply.id);
    const ids = vi.mocked(api.postAgentMessage).mock.calls.map(([body]) => body.messageId);
    expect(ids).toEqual([reply.id, reply.id]);
    expect(store.transcript('s1')).toHaveLength(1);
    expect(store.transcript('s1')[0]!.pending).toBeUndefined();
  });

  it('links a session to a new ticket with a client-chosen id', async () => {
    const store = useLiveChatStore();
    vi.mocked(api.linkSessionToTicket).mockResolvedValueOnce({ position: '3' });
    vi.mocked(api.getSession).mockResolvedValue(answer(detail()));
    const ticketId = await store.linkToNewTicket('s1', 'Password reset');
    expect(api.linkSessionToTicket).toHaveBeenCalledWith({
      sessionId: 's1',
      newTicket: { ticketId, subject: 'Password reset' },
    });
  });
});
