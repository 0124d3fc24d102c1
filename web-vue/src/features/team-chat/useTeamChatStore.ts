import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import * as api from '../../api/channels';
import { listUsers } from '../../api/users';
import { ApiError, comparePositions } from '../../api/http';
import type { Attachment, Channel, ChannelMember, Message, Quote, User } from '../../api/types';
import { newId } from '../../composables/ids';
import { mergeMessages, snippet, toggleReaction } from './message-merge';

export const PAGE_SIZE = 50;

export interface Conversation {
  items: Message[];
  cursor: string | null;
  loaded: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The conversation is gone or not ours to see (404). */
  missing: boolean;
}

/** A message the user sent that the server has not shown back yet. */
export interface PendingMessage {
  id: string;
  channelId: string;
  body: string;
  quotedMessageId: string | null;
  quote: Quote | null;
  attachments: Attachment[];
  createdAt: string;
  status: 'sending' | 'sent' | 'failed';
  error: string | null;
}

/** A local change shown until the server's answer reflects it. */
interface Override {
  patch: Partial<Message>;
  inFlight: number;
  position: string | null;
}

export type DisplayMessage = Message & { pending?: PendingMessage };

export const useTeamChatStore = defineStore('team-chat', () => {
  const me = ref<{ id: string; name: string } | null>(null);
  const channels = ref<Channel[]>([]);
  const channelsLoaded = ref(false);
  const users = ref<User[]>([]);
  const conversations = reactive<Record<string, Conversation>>({});
  const members = reactive<Record<string, ChannelMember[]>>({});
  const pending = ref<PendingMessage[]>([]);
  const overrides = reactive<Record<string, Override>>({});
  const drafts = reactive<Record<string, string>>({});
  const openChannelId = ref<string | null>(null);
  /** Bumped after every successful write: pollers watch it to fetch at once. */
  const writes = ref(0);

  function setCurrentUser(user: { id: string; name: string } | null): void {
    me.value = user;
  }

  const channelById = computed(() => new Map(channels.value.map((c) => [c.id, c])));
  const publicAndPrivate = computed(() =>
    channels.value.filter((c) => c.kind !== 'dm').sort((a, b) => a.name.localeCompare(b.name)),
  );
  const directMessages = computed(() =>
    channels.value.filter((c) => c.kind === 'dm').sort((a, b) => a.name.localeCompare(b.name)),
  );

  /** Unread as shown: nothing for the open conversation or a muted one. */
  function unreadShown(channel: Channel): number {
    if (channel.muted || channel.id === openChannelId.value) return 0;
    return channel.unread;
  }

  async function refreshChannels(signal?: AbortSignal): Promise<void> {
    const answer = await api.listChannels({ signal });
    channelsLoaded.value = true;
    if (answer.notModified) return;
    channels.value = answer.data.items;
  }

  async function loadUsers(): Promise<void> {
    users.value = (await listUsers()).items;
  }

  function conversation(channelId: string): Conversation {
    conversations[channelId] ??= {
      items: [],
      cursor: null,
      loaded: false,
      hasOlder: false,
      loadingOlder: false,
      missing: false,
    };
    return conversations[channelId];
  }

  function absorb(conv: Conversation, incoming: Message[], position: string | null): void {
    conv.items = mergeMessages(conv.items, incoming);
    const arrived = new Set(incoming.map((m) => m.id));
    if (arrived.size) pending.value = pending.value.filter((p) => !arrived.has(p.id));
    for (const [messageId, override] of Object.entries(overrides)) {
      const settled =
        override.inFlight === 0 &&
        override.position !== null &&
        (position === null || comparePositions(position, override.position) >= 0);
      if (settled && (arrived.has(messageId) || position !== null)) delete overrides[messageId];
    }
  }

  /**
   * One poll of the portal, in one request: the sidebar, and the open conversation's newest page
   * the first time, then only what changed since its cursor. A conversation that is gone or not
   * ours to see is marked missing, and the sidebar polled alone.
   */
  async function poll(channelId: string | null, signal?: AbortSignal): Promise<void> {
    if (!channelId) return refreshChannels(signal);
    const conv = conversation(channelId);
    const first = !conv.loaded;
    let answer;
    try {
      answer = await api.pollTeamChat(
        { channelId, ...(first ? { limit: PAGE_SIZE } : { after: conv.cursor, limit: 200 }) },
        { signal },
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        conv.missing = true;
        conv.loaded = true;
        return refreshChannels(signal);
      }
      throw error;
    }
    conv.missing = false;
    channelsLoaded.value = true;
    if (answer.notModified && !first) return;
    channels.value = answer.data.channels;
    const { items, cursor } = answer.data.conversation ?? { items: [], cursor: null };
    if (first) conv.hasOlder = items.length >= PAGE_SIZE;
    absorb(conv, items, answer.position);
    if (cursor) conv.cursor = cursor;
    conv.loaded = true;
  }

  async function loadOlder(channelId: string): Promise<void> {
    const conv = conversation(channelId);
    const oldest = conv.items[0];
    if (!oldest || conv.loadingOlder || !conv.hasOlder) return;
    conv.loadingOlder = true;
    try {
      const answer = await api.listMessages(channelId, { before: oldest.seq, limit: PAGE_SIZE });
      conv.items = mergeMessages(conv.items, answer.data.items);
      conv.hasOlder = answer.data.items.length >= PAGE_SIZE;
    } finally {
      conv.loadingOlder = false;
    }
  }

  /** What the list shows: server messages with local changes on top, then unconfirmed sends. */
  function displayMessages(channelId: string): DisplayMessage[] {
    const conv = conversations[channelId];
    const shown: DisplayMessage[] = (conv?.items ?? []).map((m) => {
      const override = overrides[m.id];
      return override ? { ...m, ...override.patch } : m;
    });
    const ids = new Set(shown.map((m) => m.id));
    for (const p of pending.value) {
      if (p.channelId !== channelId || ids.has(p.id)) continue;
      shown.push({
        id: p.id,
        seq: Number.MAX_SAFE_INTEGER,
        author: me.value ?? { id: '', name: 'You' },
        body: p.body,
        createdAt: p.createdAt,
        editedAt: null,
        deleted: false,
        quote: p.quote,
        reactions: [],
        attachments: p.attachments,
        pending: p,
      });
    }
    return shown;
  }

  async function deliver(item: PendingMessage): Promise<void> {
    item.status = 'sending';
    item.error = null;
    try {
      await api.postMessage({
        channelId: item.channelId,
        messageId: item.id,
        body: item.body,
        ...(item.quotedMessageId ? { quotedMessageId: item.quotedMessageId } : {}),
        ...(item.attachments.length ? { attachmentIds: item.attachments.map((a) => a.id) } : {}),
      });
      item.status = 'sent';
      writes.value++;
    } catch (error) {
      item.status = 'failed';
      item.error = error instanceof Error ? error.message : 'Not sent';
    }
  }

  /** Shows the message at once and sends it; a failure stays visible for Retry. */
  async function sendMessage(input: {
    channelId: string;
    body: string;
    quoted?: Message | null;
    attachments?: Attachment[];
  }): Promise<PendingMessage> {
    const quoted = input.quoted ?? null;
    const item = reactive<PendingMessage>({
      id: newId(),
      channelId: input.channelId,
      body: input.body,
      quotedMessageId: quoted?.id ?? null,
      quote: quoted
        ? {
            messageId: quoted.id,
            authorName: quoted.author.name,
            snippet: snippet(quoted.body),
            deleted: false,
          }
        : null,
      attachments: input.attachments ?? [],
      createdAt: new Date().toISOString(),
      status: 'sending',
      error: null,
    });
    pending.value.push(item);
    await deliver(item);
    return item;
  }

  /** Sends a failed message again with the same messageId: the server keeps one copy. */
  async function retry(messageId: string): Promise<void> {
    const item = pending.value.find((p) => p.id === messageId);
    if (item && item.status === 'failed') await deliver(item);
  }

  function discard(messageId: string): void {
    pending.value = pending.value.filter((p) => p.id !== messageId);
  }

  function findMessage(messageId: string): Message | undefined {
    for (const conv of Object.values(conversations)) {
      const found = conv.items.find((m) => m.id === messageId);
      if (found) return overrides[messageId] ? { ...found, ...overrides[messageId].patch } : found;
    }
    return undefined;
  }

  async function optimistic(
    messageId: string,
    patch: Partial<Message>,
    run: () => Promise<{ position: string }>,
  ) {
    const override = (overrides[messageId] ??= { patch: {}, inFlight: 0, position: null });
    override.patch = { ...override.patch, ...patch };
    override.inFlight++;
    try {
      const { position } = await run();
      const current = overrides[messageId];
      if (current) {
        current.inFlight--;
        if (current.position === null || comparePositions(position, current.position) > 0)
          current.position = position;
      }
      writes.value++;
    } catch (error) {
      delete overrides[messageId];
      throw error;
    }
  }

  function editMessage(messageId: string, body: string): Promise<void> {
    return optimistic(messageId, { body, editedAt: new Date().toISOString() }, () =>
      api.editMessage({ messageId, body }),
    );
  }

  function deleteMessage(messageId: string): Promise<void> {
    return optimistic(messageId, { deleted: true, body: '', reactions: [], attachments: [] }, () =>
      api.deleteMessage({ messageId }),
    );
  }

  function toggleReactionOn(messageId: string, emoji: string): Promise<void> {
    const message = findMessage(messageId);
    const userId = me.value?.id;
    if (!message || !userId) return Promise.resolve();
    const mine = message.reactions.some((r) => r.emoji === emoji && r.mine);
    return optimistic(messageId, { reactions: toggleReaction(message.reactions, emoji, userId) }, () =>
      mine ? api.removeReaction({ messageId, emoji }) : api.reactToMessage({ messageId, emoji }),
    );
  }

  /** Opening a conversation reads it; the badge elsewhere follows on the next poll. */
  async function markRead(channelId: string): Promise<void> {
    const channel = channelById.value.get(channelId);
    if (!channel?.isMember) return;
    channel.unread = 0;
    try {
      await api.markChannelRead({ channelId });
    } catch {
      // Best effort: the next open marks it again.
    }
  }

  function setOpenChannel(channelId: string | null): void {
    openChannelId.value = channelId;
  }

  async function afterWrite(): Promise<void> {
    writes.value++;
    await refreshChannels();
  }

  async function createChannel(input: {
    name: string;
    visibility: 'public' | 'private';
    description?: string;
  }): Promise<string> {
    const channelId = newId();
    await api.createChannel({ channelId, ...input });
    await afterWrite();
    return channelId;
  }

  async function joinChannel(channelId: string): Promise<void> {
    await api.joinChannel({ channelId });
    await afterWrite();
  }

  async function leaveChannel(channelId: string): Promise<void> {
    await api.leaveChannel({ channelId });
    await afterWrite();
  }

  async function deleteChannel(channelId: string): Promise<void> {
    await api.deleteChannel({ channelId });
    delete conversations[channelId];
    await afterWrite();
  }

  async function addMember(channelId: string, userId: string): Promise<void> {
    await api.addChannelMember({ channelId, userId });
    await Promise.all([afterWrite(), loadMembers(channelId)]);
  }

  async function loadMembers(channelId: string): Promise<void> {
    members[channelId] = (await api.listMembers(channelId)).items;
  }

  async function setMuted(channelId: string, muted: boolean): Promise<void> {
    const channel = channelById.value.get(channelId);
    const before = channel?.muted ?? false;
    if (channel) channel.muted = muted;
    try {
      await (muted ? api.muteChannel({ channelId }) : api.unmuteChannel({ channelId }));
      await afterWrite();
    } catch (error) {
      if (channel) channel.muted = before;
      throw error;
    }
  }

  /** Opening a DM with the same person twice lands in the same conversation. */
  async function openDirectMessage(userId: string): Promise<string> {
    const { channelId } = await api.openDirectMessage({ userId });
    await afterWrite();
    return channelId;
  }

  return {
    me,
    channels,
    channelsLoaded,
    users,
    conversations,
    members,
    pending,
    drafts,
    openChannelId,
    writes,
    channelById,
    publicAndPrivate,
    directMessages,
    setCurrentUser,
    unreadShown,
    refreshChannels,
    loadUsers,
    conversation,
    poll,
    loadOlder,
    displayMessages,
    sendMessage,
    retry,
    discard,
    findMessage,
    editMessage,
    deleteMessage,
    toggleReaction: toggleReactionOn,
    markRead,
    setOpenChannel,
    createChannel,
    joinChannel,
    leaveChannel,
    deleteChannel,
    addMember,
    loadMembers,
    setMuted,
    openDirectMessage,
  };
});
