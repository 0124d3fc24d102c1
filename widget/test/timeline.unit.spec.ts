// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { ChatMessage, SessionSnapshot } from '../src/chat/api';
import type { OutgoingMessage } from '../src/chat/send-queue';
import { buildTimeline, type MessageItem } from '../src/chat/timeline';
import { MessageList } from '../src/chat/view/messages';

const msg = (
  id: string,
  from: ChatMessage['from'],
  body: string,
  extra: Partial<ChatMessage> = {},
): ChatMessage => ({
  id,
  from,
  body,
  createdAt: '2026-03-02T10:00:00.000Z',
  suggestions: [],
  ...extra,
});
const snapshot = (over: Partial<SessionSnapshot>): SessionSnapshot => ({
  status: 'WAITING',
  agentJoined: false,
  agentName: null,
  queuePosition: 1,
  messages: [],
  ...over,
});
const outgoing = (
  messageId: string,
  body: string,
  state: OutgoingMessage['state'] = 'sending',
): OutgoingMessage => ({
  messageId,
  body,
  state,
  attempts: 1,
  error: null,
});
const input = (over: Partial<Parameters<typeof buildTimeline>[0]>) => ({
  greeting: 'Hi!',
  archive: [],
  sessionId: 's1',
  snapshot: null,
  outbox: [],
  awaitingEcho: new Map<string, string>(),
  ...over,
});

describe('buildTimeline', () => {
  it('shows the greeting, then the conversation, with "joined" before the agent’s first message', () => {
    const items = buildTimeline(
      input({
        snapshot: snapshot({
          status: 'ACTIVE',
          agentJoined: true,
          agentName: 'Mitch',
          messages: [
            msg('1', 'visitor', 'hello'),
            msg('2', 'bot', 'try this'),
            msg('3', 'agent', 'Hi!'),
            msg('4', 'agent', 'Still there?'),
          ],
        }),
      }),
    );
    expect(items.map((i) => (i.kind === 'notice' ? `[${i.text}]` : `${i.author}: ${i.body}`))).toEqual([
      'Support team: Hi!',
      'You: hello',
      'Assistant: try this',
      '[Mitch joined the chat]',
      'Mitch: Hi!',
      'Mitch: Still there?',
    ]);
    expect((items[5] as MessageItem).first).toBe(false);
  });

  it('shows a pending message once, and only until the server has it', () => {
    const pending = buildTimeline(input({ snapshot: snapshot({}), outbox: [outgoing('m1', 'hi')] }));
    expect(pending.filter((i) => i.key === 'm1')).toEqual([expect.objectContaining({ delivery: 'sending' })]);
    const echoed = buildTimeline(
      input({
        snapshot: snapshot({ messages: [msg('m1', 'visitor', 'hi')] }),
        outbox: [outgoing('m1', 'hi')],
        awaitingEcho: new Map([['m1', 'hi']]),
      }),
    );
    expect(echoed.filter((i) => i.key === 'm1')).toEqual([expect.objectContaining({ delivery: null })]);
  });

  it('says when a chat ended and keeps earlier chats of this page view above', () => {
    const items = buildTimeline(
      input({
        archive: [{ sessionId: 's0', messages: [msg('a', 'visitor', 'old')], agentName: null }],
        snapshot: snapshot({ status: 'CLOSED', messages: [msg('b', 'visitor', 'new')] }),
      }),
    );
    expect(items.map((i) => i.key)).toEqual(['greeting', 'a', 'ended:s0', 'b', 'ended:s1']);
  });
});

describe('MessageList', () => {
  const handlers = { openArticle: () => {}, solved: () => {}, retry: () => {}, discard: () => {} };

  it('renders message text as text, never as HTML', () => {
    const list = new MessageList(handlers, () => {});
    const items = buildTimeline(
      input({
        snapshot: snapshot({
          messages: [msg('1', 'agent', '<img src=x onerror="alert(1)"><script>bad()</script>')],
        }),
      }),
    );
    list.update(items, new Set());
    expect(list.element.querySelector('img, script')).toBeNull();
    expect(list.element.textContent).toContain('<img src=x onerror="alert(1)"><script>bad()</script>');
  });

  it('keeps existing nodes and announces only messages that arrive later, from others', () => {
    const announced: string[] = [];
    const list = new MessageList(handlers, (text) => announced.push(text));
    const first = buildTimeline(input({ snapshot: snapshot({ messages: [msg('1', 'agent', 'earlier')] }) }));
    list.update(first, new Set());
    const node = list.element.children[1];
    expect(announced).toEqual([]);

    const next = buildTimeline(
      input({
        snapshot: snapshot({
          messages: [
            msg('1', 'agent', 'earlier'),
            msg('2', 'visitor', 'mine'),
            msg('3', 'bot', 'see this', {
              suggestions: [{ articleId: 'kb1', title: 'Reset your password' }],
            }),
          ],
        }),
      }),
    );
    expect(list.update(next, new Set())).toBe(true);
    expect(list.element.children[1]).toBe(node);
    expect(announced).toEqual(['Assistant: see this (1 suggested article)']);
    expect(list.element.querySelector('.card-open')?.textContent).toBe('Reset your password');
    expect(list.update(next, new Set())).toBe(false);
  });

  it('turns "This solved it" into a confirmation once solved', () => {
    const list = new MessageList(handlers, () => {});
    const items = buildTimeline(
      input({
        snapshot: snapshot({
          messages: [msg('3', 'bot', 'see', { suggestions: [{ articleId: 'kb1', title: 'T' }] })],
        }),
      }),
    );
    list.update(items, new Set());
    expect(list.element.querySelector('.card-action')?.textContent).toBe('This solved it');
    list.update(items, new Set(['kb1']));
    expect(list.element.querySelector('.card-action')).toBeNull();
    expect(list.element.querySelector('.card-solved')?.textContent).toContain('Glad that helped');
  });
});
