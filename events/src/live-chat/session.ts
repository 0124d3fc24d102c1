import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { userSubject } from '../identity/user';
import { text } from '../text';

/**
 * A Live chat session: a website visitor's conversation with the staff, WAITING until an agent
 * joins, then ACTIVE, then CLOSED. One stream per session holds every rule that must hold at an
 * exact revision: one assignee, no messages after the close, one bot answer per visitor message.
 */
export const SESSION_STATUSES = ['WAITING', 'ACTIVE', 'CLOSED'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const chatSessionStream = (sessionId: string) => `session-${sessionId}`;
/** Whose data key protects a visitor's name, email and messages: erasing it forgets the visitor. */
export const visitorSubject = (sessionId: string) => `visitor:${sessionId}`;

export const VISITOR_NAME_MAX = 80;
export const CHAT_MESSAGE_MAX = 4_000;
export const MAX_SUGGESTIONS = 3;

export const VisitorSessionStarted = defineEvent({
  type: 'VisitorSessionStarted',
  version: 1,
  schema: z.object({
    sessionId: z.uuid(),
    visitorName: text(1, VISITOR_NAME_MAX),
    visitorEmail: z.email().max(254).optional(),
    widgetKey: z.string().min(1).max(64),
  }),
  personalData: { subject: (d) => visitorSubject(d.sessionId), fields: ['visitorName', 'visitorEmail'] },
});

export const VisitorMessagePosted = defineEvent({
  type: 'VisitorMessagePosted',
  version: 1,
  schema: z.object({ sessionId: z.uuid(), messageId: z.uuid(), body: text(1, CHAT_MESSAGE_MAX) }),
  personalData: { subject: (d) => visitorSubject(d.sessionId), fields: ['body'] },
});

export const AgentMessagePosted = defineEvent({
  type: 'AgentMessagePosted',
  version: 1,
  schema: z.object({
    sessionId: z.uuid(),
    messageId: z.uuid(),
    agentId: z.uuid(),
    body: text(1, CHAT_MESSAGE_MAX),
  }),
  personalData: { subject: (d) => userSubject(d.agentId), fields: ['body'] },
});

/** Assigned, not yet joined: the session stays WAITING until its agent joins or replies. */
export const SessionAssigned = defineEvent({
  type: 'SessionAssigned',
  version: 1,
  schema: z.object({ sessionId: z.uuid(), agentId: z.uuid(), assignedBy: z.uuid() }),
});

/** The agent is in the conversation: the session is ACTIVE and theirs. */
export const AgentJoinedSession = defineEvent({
  type: 'AgentJoinedSession',
  version: 1,
  schema: z.object({ sessionId: z.uuid(), agentId: z.uuid() }),
});

/** Back to the queue: WAITING and unassigned. */
export const SessionReleased = defineEvent({
  type: 'SessionReleased',
  version: 1,
  schema: z.object({ sessionId: z.uuid(), agentId: z.uuid(), releasedBy: z.uuid() }),
});

export const SessionClosed = defineEvent({
  type: 'SessionClosed',
  version: 1,
  schema: z.object({
    sessionId: z.uuid(),
    by: z.enum(['visitor', 'agent']),
    agentId: z.uuid().optional(),
    /** 'self-served': the visitor said a suggested article solved it. */
    resolution: z.enum(['closed', 'self-served']),
    articleId: z.uuid().optional(),
  }),
});

export const SuggestedArticle = z.object({ articleId: z.uuid(), title: text(1, 200) });
export type SuggestedArticle = z.infer<typeof SuggestedArticle>;

/** The knowledge-base bot's answer to one visitor message. */
export const ArticlesSuggested = defineEvent({
  type: 'ArticlesSuggested',
  version: 1,
  schema: z.object({
    sessionId: z.uuid(),
    suggestionId: z.uuid(),
    inReplyTo: z.uuid(),
    articles: z.array(SuggestedArticle).min(1).max(MAX_SUGGESTIONS),
  }),
});

export const SessionLinkedToTicket = defineEvent({
  type: 'SessionLinkedToTicket',
  version: 1,
  schema: z.object({ sessionId: z.uuid(), ticketId: z.uuid(), agentId: z.uuid() }),
});

export const liveChatEvents = [
  VisitorSessionStarted,
  VisitorMessagePosted,
  AgentMessagePosted,
  SessionAssigned,
  AgentJoinedSession,
  SessionReleased,
  SessionClosed,
  ArticlesSuggested,
  SessionLinkedToTicket,
];
export type LiveChatEvent =
  | EventOf<typeof VisitorSessionStarted>
  | EventOf<typeof VisitorMessagePosted>
  | EventOf<typeof AgentMessagePosted>
  | EventOf<typeof SessionAssigned>
  | EventOf<typeof AgentJoinedSession>
  | EventOf<typeof SessionReleased>
  | EventOf<typeof SessionClosed>
  | EventOf<typeof ArticlesSuggested>
  | EventOf<typeof SessionLinkedToTicket>;

/**
 * The bot's suggestion id for a visitor message: derived, not random, so that a reactor that
 * crashes after acting and acts again sends the very same command.
 */
export function suggestionIdFor(sessionId: string, messageId: string): string {
  const h = createHash('sha256').update(`kb-suggestion:${sessionId}:${messageId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface ChatMessageRecord {
  from: 'visitor' | 'agent';
  authorId: string | null;
  body: string;
}

export type ChatSessionState =
  | { status: 'absent' }
  | {
      status: SessionStatus;
      sessionId: string;
      visitorName: string;
      visitorEmail: string | null;
      widgetKey: string;
      assigneeId: string | null;
      /** The assignee is in the conversation (ACTIVE). */
      agentJoined: boolean;
      /** Some agent has joined at some point: the bot stays quiet from then on. */
      everJoined: boolean;
      messages: ReadonlyMap<string, ChatMessageRecord>;
      /** Visitor message ids the bot has answered, and the ids of its answers. */
      suggestedFor: ReadonlySet<string>;
      suggestionIds: ReadonlySet<string>;
      suggestedArticles: ReadonlySet<string>;
      ticketId: string | null;
      resolution: 'closed' | 'self-served' | null;
      solvedBy: string | null;
    };

export const initialChatSessionState: ChatSessionState = { status: 'absent' };

const withMessage = (
  messages: ReadonlyMap<string, ChatMessageRecord>,
  id: string,
  record: ChatMessageRecord,
) => new Map(messages).set(id, record);

export function evolveChatSession(state: ChatSessionState, event: LiveChatEvent): ChatSessionState {
  if (event.type === 'VisitorSessionStarted') {
    if (state.status !== 'absent') return state;
    return {
      status: 'WAITING',
      sessionId: event.data.sessionId,
      visitorName: event.data.visitorName,
      visitorEmail: event.data.visitorEmail ?? null,
      widgetKey: event.data.widgetKey,
      assigneeId: null,
      agentJoined: false,
      everJoined: false,
      messages: new Map(),
      suggestedFor: new Set(),
      suggestionIds: new Set(),
      suggestedArticles: new Set(),
      ticketId: null,
      resolution: null,
      solvedBy: null,
    };
  }
  if (state.status === 'absent') return state;
  const open = state.status !== 'CLOSED';
  switch (event.type) {
    case 'VisitorMessagePosted':
      return {
        ...state,
        messages: withMessage(state.messages, event.data.messageId, {
          from: 'visitor',
          authorId: null,
          body: event.data.body,
        }),
      };
    case 'AgentMessagePosted':
      return {
        ...state,
        messages: withMessage(state.messages, event.data.messageId, {
          from: 'agent',
          authorId: event.data.agentId,
          body: event.data.body,
        }),
      };
    case 'SessionAssigned':
      return open ? { ...state, assigneeId: event.data.agentId } : state;
    case 'AgentJoinedSession':
      return open
        ? { ...state, status: 'ACTIVE', assigneeId: event.data.agentId, agentJoined: true, everJoined: true }
        : state;
    case 'SessionReleased':
      return open ? { ...state, status: 'WAITING', assigneeId: null, agentJoined: false } : state;
    case 'SessionClosed':
      return open
        ? {
            ...state,
            status: 'CLOSED',
            resolution: event.data.resolution,
            solvedBy: event.data.articleId ?? null,
          }
        : state;
    case 'ArticlesSuggested':
      return {
        ...state,
        suggestedFor: new Set(state.suggestedFor).add(event.data.inReplyTo),
        suggestionIds: new Set(state.suggestionIds).add(event.data.suggestionId),
        suggestedArticles: new Set([
          ...state.suggestedArticles,
          ...event.data.articles.map((a) => a.articleId),
        ]),
      };
    case 'SessionLinkedToTicket':
      return { ...state, ticketId: event.data.ticketId };
    default:
      return state;
  }
}
