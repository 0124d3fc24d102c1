import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Message } from '../../api/types';

vi.mock('../../api/channels', () => ({
  listChannels: vi.fn(),
  listMessages: vi.fn(),
  pollTeamChat: vi.fn(),
  postMessage: vi.fn(),
  editMessage: vi.fn(),
  deleteMessage: vi.fn(),
  reactToMessage: vi.fn(),
  removeReaction: vi.fn(),
  markChannelRead: vi.fn(),
}));
vi.mock('../../api/users', () => ({ listUsers: vi.fn() }));

const api = await import('../../api/channels');
const { useTeamChatStore } = await import('./useTeamChatStore');

const ME = { id: 'u-me', name: 'Emma Stone' };
const OTHER = { id: 'u-other', name: 'Mitch Rivera' };
const CHANNEL = 'c-general';

function message(seq: number, patch: Partial<Message> = {}): Message {
  return {
    id: `m-${seq}`,
    seq,
    author: OTHER,
    body: `message ${seq}`,
    createdAt: new Date(2026, 0, 1, 9, seq).toISOString(),
    editedAt: null,
    deleted: false,
    quote: null,
    reactions: [],
    attachments: [],
    ...patch,
  };
}

/** A poll's answer: the sidebar, and a page of the conversation. */
function page(items: Message[], cursor: string, position: string | null = null) {
  return {
    data: { channels: [], conversation: { channelId: CHANNEL, items, cursor } },
    notModified: false,
    position,
  };
}

describe('useTeamChatStore', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.resetAllMocks();
  });

  it('loads the newest page, then merges only changes after the cursor, sorted by seq', async () => {
    const store = useTeamChatStore();
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(page([message(1), message(2)], '10'));
    await store.poll(CHANNEL);
    expect(vi.mocked(api.pollTeamChat).mock.calls[0]![0]).toEqual({ channelId: CHANNEL, limit: 50 });

    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(
      page([message(3), message(1, { body: 'fixed', editedAt: '2026-01-01T10:00:00Z' })], '12'),
    );
    await store.poll(CHANNEL);
    expect(vi.mocked(api.pollTeamChat).mock.calls[1]![0]).toEqual({
      channelId: CHANNEL,
      after: '10',
      limit: 200,
    });
    const shown = store.displayMessages(CHANNEL);
    expect(shown.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(shown[0]!.body).toBe('fixed');
    expect(store.conversation(CHANNEL).cursor).toBe('12');
  });

  it('shows a sent message at once and keeps exactly one copy once the server has it', async () => {
    const store = useTeamChatStore();
    store.setCurrentUser(ME);
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(page([message(1)], '5'));
    await store.poll(CHANNEL);

    let answer!: (value: { position: string }) => void;
    vi.mocked(api.postMessage).mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const sending = store.sendMessage({ channelId: CHANNEL, body: 'hello' });
    let shown = store.displayMessages(CHANNEL);
    expect(shown).toHaveLength(2);
    expect(shown[1]!.body).toBe('hello');
    expect(shown[1]!.pending?.status).toBe('sending');

    answer({ position: '42' });
    const sent = await sending;
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(
      page([message(2, { id: sent.id, author: ME, body: 'hello' })], '6', '42'),
    );
    await store.poll(CHANNEL);
    shown = store.displayMessages(CHANNEL);
    expect(shown.map((m) => m.id)).toEqual(['m-1', sent.id]);
    expect(shown[1]!.pending).toBeUndefined();
    expect(store.pending).toHaveLength(0);
  });

  it('keeps a failed send visible, and a retry reuses the same messageId', async () => {
    const store = useTeamChatStore();
    store.setCurrentUser(ME);
    vi.mocked(api.postMessage).mockRejectedValueOnce(new Error('Cannot reach the server'));
    const item = await store.sendMessage({ channelId: CHANNEL, body: 'are you there?' });
    expect(item.status).toBe('failed');
    expect(store.displayMessages(CHANNEL)[0]!.pending?.error).toBe('Cannot reach the server');

    vi.mocked(api.postMessage).mockResolvedValueOnce({ position: '7' });
    await store.retry(item.id);
    expect(api.postMessage).toHaveBeenCalledTimes(2);
    const [first, second] = vi.mocked(api.postMessage).mock.calls;
    expect(second![0].messageId).toBe(first![0].messageId);
    expect(second![0].messageId).toBe(item.id);
    expect(store.pending[0]!.status).toBe('sent');
  });

  it('sends the quoted message id and shows the quote before the server answers', async () => {
    const store = useTeamChatStore();
    store.setCurrentUser(ME);
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(page([message(1, { body: 'the original' })], '5'));
    await store.poll(CHANNEL);
    vi.mocked(api.postMessage).mockResolvedValueOnce({ position: '8' });
    await store.sendMessage({
      channelId: CHANNEL,
      body: 'agreed',
      quoted: store.displayMessages(CHANNEL)[0],
    });
    expect(vi.mocked(api.postMessage).mock.calls[0]![0].quotedMessageId).toBe('m-1');
    expect(store.displayMessages(CHANNEL)[1]!.quote).toMatchObject({
      authorName: OTHER.name,
      snippet: 'the original',
    });
  });

  it('toggles a reaction optimistically and drops the local copy once the server reflects the write', async () => {
    const store = useTeamChatStore();
    store.setCurrentUser(ME);
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(page([message(1)], '5', '100'));
    await store.poll(CHANNEL);

    vi.mocked(api.reactToMessage).mockResolvedValueOnce({ position: '120' });
    const reacting = store.toggleReaction('m-1', '👍');
    expect(store.displayMessages(CHANNEL)[0]!.reactions).toEqual([
      { emoji: '👍', count: 1, mine: true, userIds: [ME.id] },
    ]);
    await reacting;

    // An older answer (position 110) must not undo what the user sees.
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(page([message(1)], '5', '110'));
    await store.poll(CHANNEL);
    expect(store.displayMessages(CHANNEL)[0]!.reactions).toHaveLength(1);

    const confirmed = message(1, { reactions: [{ emoji: '👍', count: 1, mine: true, userIds: [ME.id] }] });
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(page([confirmed], '6', '120'));
    await store.poll(CHANNEL);
    expect(store.displayMessages(CHANNEL)[0]).toEqual(confirmed);

    vi.mocked(api.removeReaction).mockResolvedValueOnce({ position: '130' });
    await store.toggleReaction('m-1', '👍');
    expect(api.removeReaction).toHaveBeenCalledWith({ messageId: 'm-1', emoji: '👍' });
    expect(store.displayMessages(CHANNEL)[0]!.reactions).toEqual([]);
  });

  it('reverts an edit the server refused', async () => {
    const store = useTeamChatStore();
    store.setCurrentUser(ME);
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce(
      page([message(1, { author: ME, body: 'before' })], '5'),
    );
    await store.poll(CHANNEL);
    vi.mocked(api.editMessage).mockRejectedValueOnce(new Error('Forbidden'));
    await expect(store.editMessage('m-1', 'after')).rejects.toThrow('Forbidden');
    expect(store.displayMessages(CHANNEL)[0]!.body).toBe('before');
  });

  it('takes the sidebar from the same poll, and polls it alone while the conversation is missing', async () => {
    const store = useTeamChatStore();
    const general = {
      id: CHANNEL,
      name: 'general',
      kind: 'public' as const,
      description: null,
      memberCount: 2,
      isMember: true,
      role: 'MEMBER' as const,
      unread: 1,
      muted: false,
      lastActivityAt: null,
    };
    const answer = page([message(1)], '5');
    vi.mocked(api.pollTeamChat).mockResolvedValueOnce({
      ...answer,
      data: { ...answer.data, channels: [general] },
    });
    await store.poll(CHANNEL);
    expect(store.channels).toEqual([general]);
    expect(store.channelsLoaded).toBe(true);
    expect(api.listChannels).not.toHaveBeenCalled();

    const { ApiError } = await import('../../api/http');
    vi.mocked(api.pollTeamChat).mockRejectedValueOnce(new ApiError(404, 'NOT_FOUND', 'No such channel'));
    vi.mocked(api.listChannels).mockResolvedValueOnce({
      data: { items: [] },
      notModified: false,
      position: null,
    });
    await store.poll(CHANNEL);
    expect(store.conversation(CHANNEL).missing).toBe(true);
    expect(store.channels).toEqual([]);
  });

  it('shows no unread badge for the open conversation or a muted one', () => {
    const store = useTeamChatStore();
    const base = {
      kind: 'public' as const,
      description: null,
      memberCount: 2,
      isMember: true,
      role: 'MEMBER' as const,
      lastActivityAt: null,
    };
    store.channels = [
      { ...base, id: 'a', name: 'a', unread: 3, muted: false },
      { ...base, id: 'b', name: 'b', unread: 2, muted: true },
      { ...base, id: 'c', name: 'c', unread: 4, muted: false },
    ];
    store.setOpenChannel('c');
    expect(store.channels.map((c) => store.unreadShown(c))).toEqual([3, 0, 0]);
  });
});
