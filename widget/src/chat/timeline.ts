import type { ChatMessage, SessionSnapshot, Suggestion } from './api';
import type { OutgoingMessage } from './send-queue';

export type Sender = 'visitor' | 'agent' | 'bot' | 'team';
export type Delivery = 'sending' | 'retrying' | 'failed' | null;

export interface MessageItem {
  kind: 'message';
  key: string;
  from: Sender;
  author: string;
  body: string;
  createdAt: string | null;
  /** First of a run by the same sender: shows the author line. */
  first: boolean;
  delivery: Delivery;
  error: string | null;
  suggestions: Suggestion[];
}

export interface NoticeItem {
  kind: 'notice';
  key: string;
  text: string;
}

export type TimelineItem = MessageItem | NoticeItem;

/** A conversation that ended while this page was open, kept on screen above the new one. */
export interface ArchivedConversation {
  sessionId: string;
  messages: ChatMessage[];
  agentName: string | null;
}

export interface TimelineInput {
  greeting: string;
  archive: readonly ArchivedConversation[];
  sessionId: string | null;
  snapshot: SessionSnapshot | null;
  outbox: readonly OutgoingMessage[];
  /** Acknowledged messages the last snapshot does not show yet. */
  awaitingEcho: ReadonlyMap<string, string>;
}

function authorOf(from: Sender, agentName: string | null): string {
  if (from === 'visitor') return 'You';
  if (from === 'bot') return 'Assistant';
  if (from === 'team') return 'Support team';
  return agentName ?? 'Agent';
}

/** What the message list shows, in order, each with a stable key. Pure: easy to test. */
export function buildTimeline(input: TimelineInput): TimelineItem[] {
  const items: TimelineItem[] = [];
  const push = (
    from: Sender,
    m: Omit<MessageItem, 'kind' | 'from' | 'author' | 'first'>,
    agentName: string | null,
  ) => {
    const previous = items[items.length - 1];
    const first = !(previous?.kind === 'message' && previous.from === from);
    items.push({ kind: 'message', from, author: authorOf(from, agentName), first, ...m });
  };
  const conversation = (
    sessionId: string,
    messages: readonly ChatMessage[],
    agentName: string | null,
    joined: boolean,
  ) => {
    let joinedShown = false;
    const showJoined = () => {
      if (joinedShown || !joined) return;
      joinedShown = true;
      items.push({
        kind: 'notice',
        key: `joined:${sessionId}`,
        text: `${agentName ?? 'An agent'} joined the chat`,
      });
    };
    for (const m of messages) {
      if (m.from === 'agent') showJoined();
      push(
        m.from,
        {
          key: m.id,
          body: m.body,
          createdAt: m.createdAt || null,
          delivery: null,
          error: null,
          suggestions: m.suggestions,
        },
        agentName,
      );
    }
    showJoined();
  };

  if (input.greeting) {
    push(
      'team',
      {
        key: 'greeting',
        body: input.greeting,
        createdAt: null,
        delivery: null,
        error: null,
        suggestions: [],
      },
      null,
    );
  }
  for (const old of input.archive) {
    conversation(
      old.sessionId,
      old.messages,
      old.agentName,
      old.messages.some((m) => m.from === 'agent'),
    );
    items.push({ kind: 'notice', key: `ended:${old.sessionId}`, text: 'Chat ended' });
  }

  const snapshot = input.snapshot;
  const shown = new Set(snapshot?.messages.map((m) => m.id));
  if (input.sessionId && snapshot) {
    conversation(input.sessionId, snapshot.messages, snapshot.agentName, snapshot.agentJoined);
    if (snapshot.status === 'CLOSED') {
      items.push({
        kind: 'notice',
        key: `ended:${input.sessionId}`,
        text: 'This chat has ended. Write a message to start a new one.',
      });
    }
  }
  for (const [messageId, body] of input.awaitingEcho) {
    if (shown.has(messageId)) continue;
    shown.add(messageId);
    push(
      'visitor',
      { key: messageId, body, createdAt: null, delivery: null, error: null, suggestions: [] },
      null,
    );
  }
  for (const m of input.outbox) {
    if (shown.has(m.messageId)) continue;
    const delivery: Delivery =
      m.state === 'failed' ? 'failed' : m.state === 'retrying' ? 'retrying' : 'sending';
    push(
      'visitor',
      { key: m.messageId, body: m.body, createdAt: null, delivery, error: m.error, suggestions: [] },
      null,
    );
  }
  return items;
}
