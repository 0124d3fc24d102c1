import { fold, type Aggregate } from '../aggregate';
import {
  evolveChatSession,
  initialChatSessionState,
  type ChatSessionState,
  type LiveChatEvent,
} from '../live-chat/session';
import { channelAggregate, type ChannelState } from '../team-chat/channel';
import { messageAggregate, type MessageState } from '../team-chat/message';
import type { RecordedEvent } from '../store/types';

/** A point in history: every event at or before this position, or recorded at or before this time. */
export type Cut = { position: bigint } | { time: string } | 'now';

export function isWithin(event: Pick<RecordedEvent, 'position' | 'metadata'>, cut: Cut): boolean {
  if (cut === 'now') return true;
  if ('position' in cut) return event.position <= cut.position;
  return Date.parse(event.metadata.recordedAt) <= Date.parse(cut.time);
}

/**
 * The state of an aggregate as it was at a point in history: its events up to the cut, folded
 * with the aggregate's own `evolve` (the very fold the write side decides on).
 */
export function foldAsOf<State, Event extends { type: string; data: unknown }>(
  aggregate: Aggregate<State, Event>,
  events: readonly RecordedEvent[],
  cut: Cut,
): { state: State; applied: RecordedEvent[] } {
  const applied = events.filter((event) => isWithin(event, cut));
  return { state: fold(aggregate, applied), applied };
}

export interface MessageAsOf {
  messageId: string;
  state: Exclude<MessageState, { status: 'absent' }>;
  postedAt: string;
  postedPosition: bigint;
  editedAt: string | null;
  deletedAt: string | null;
  /** The text the message had when it was deleted: the history keeps it, auditors may read it. */
  bodyBeforeDeletion: string | null;
}

export interface ChannelAsOf {
  channel: ChannelState;
  /** In the order they were posted. */
  messages: MessageAsOf[];
}

/**
 * A Team chat conversation at a point in history: the channel's stream folded with the channel
 * aggregate, and each of its message streams folded with the message aggregate.
 */
export function channelAsOf(
  channelEvents: readonly RecordedEvent[],
  messageEvents: readonly RecordedEvent[],
  cut: Cut,
): ChannelAsOf {
  const { state: channel } = foldAsOf(channelAggregate, channelEvents, cut);
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of messageEvents) {
    if (!isWithin(event, cut)) continue;
    const list = byStream.get(event.streamId) ?? [];
    list.push(event);
    byStream.set(event.streamId, list);
  }
  const messages: MessageAsOf[] = [];
  for (const events of byStream.values()) {
    events.sort((a, b) => (a.revision < b.revision ? -1 : 1));
    let state: MessageState = messageAggregate.initialState;
    let editedAt: string | null = null;
    let deletedAt: string | null = null;
    let bodyBeforeDeletion: string | null = null;
    for (const event of events) {
      const before: MessageState = state;
      state = messageAggregate.evolve(state, event as never);
      if (state === before) continue;
      if (event.type === 'MessageEdited') editedAt = event.metadata.recordedAt;
      if (event.type === 'MessageDeleted' && before.status === 'posted') {
        deletedAt = event.metadata.recordedAt;
        bodyBeforeDeletion = before.body;
      }
    }
    if (state.status === 'absent') continue;
    const posted = events.find((e) => e.type === 'MessagePosted')!;
    messages.push({
      messageId: state.messageId,
      state,
      postedAt: posted.metadata.recordedAt,
      postedPosition: posted.position,
      editedAt,
      deletedAt,
      bodyBeforeDeletion,
    });
  }
  messages.sort((a, b) => (a.postedPosition < b.postedPosition ? -1 : 1));
  return { channel, messages };
}

export interface SessionAsOf {
  session: ChatSessionState;
  /** When each message of the session was recorded. */
  messageTimes: Map<string, string>;
}

/** A Live chat session at a point in history, folded with the session aggregate. */
export function sessionAsOf(events: readonly RecordedEvent[], cut: Cut): SessionAsOf {
  const aggregate: Aggregate<ChatSessionState, LiveChatEvent> = {
    initialState: initialChatSessionState,
    evolve: evolveChatSession,
  };
  const { state, applied } = foldAsOf(aggregate, events, cut);
  const messageTimes = new Map<string, string>();
  for (const event of applied) {
    const messageId = (event.data as { messageId?: unknown }).messageId;
    if (
      (event.type === 'VisitorMessagePosted' || event.type === 'AgentMessagePosted') &&
      typeof messageId === 'string'
    )
      messageTimes.set(messageId, event.metadata.recordedAt);
  }
  return { session: state, messageTimes };
}
