import type { ChatSessionState, LiveChatEvent, SuggestedArticle } from '@chat/events';
import { MAX_SUGGESTIONS } from '@chat/events';
import { ConflictError, ForbiddenError, NotFoundError } from '@chat/platform';

/** Who closes a session: its visitor, or a staff member (a manager may close anyone's). */
export type Closer = { kind: 'visitor' } | { kind: 'agent'; agentId: string; isManager: boolean };

export type ChatSessionCommand =
  | {
      type: 'StartVisitorSession';
      sessionId: string;
      visitorName: string;
      visitorEmail?: string;
      widgetKey: string;
    }
  | { type: 'PostVisitorMessage'; sessionId: string; messageId: string; body: string }
  | { type: 'AssignSession'; sessionId: string; agentId: string; byId: string; isManager: boolean }
  | { type: 'JoinSession'; sessionId: string; agentId: string }
  | { type: 'ReleaseSession'; sessionId: string; byId: string; isManager: boolean }
  | { type: 'PostAgentMessage'; sessionId: string; messageId: string; agentId: string; body: string }
  | { type: 'CloseSession'; sessionId: string; by: Closer }
  | { type: 'MarkSuggestionSolved'; sessionId: string; articleId: string }
  | {
      type: 'SuggestArticles';
      sessionId: string;
      suggestionId: string;
      inReplyTo: string;
      articles: SuggestedArticle[];
    }
  | { type: 'LinkSessionToTicket'; sessionId: string; ticketId: string; agentId: string };

type Present = Exclude<ChatSessionState, { status: 'absent' }>;

/** The code of the 409 a losing agent gets; the command layer adds the winner's name. */
export const SESSION_TAKEN = 'SESSION_TAKEN';

const taken = (agentId: string) =>
  new ConflictError(SESSION_TAKEN, 'Another agent has already taken this session', {
    agent: { id: agentId },
  });
const closed = () => new ConflictError('SESSION_CLOSED', 'This chat session is closed');

function present(state: ChatSessionState): Present {
  if (state.status === 'absent') throw new NotFoundError('No such chat session');
  return state;
}

/** A message id seen before: the same message again is a retry (nothing to do), anything else a clash. */
function alreadyPosted(
  state: Present,
  messageId: string,
  from: 'visitor' | 'agent',
  authorId: string | null,
  body: string,
): boolean {
  const known = state.messages.get(messageId);
  if (!known) return false;
  if (known.from === from && known.authorId === authorId && known.body === body) return true;
  throw new ConflictError('MESSAGE_ID_TAKEN', 'Another message already has this id');
}

/** The rules of a Live chat session. Pure: state and command in, events out. */
export function decideChatSession(command: ChatSessionCommand, state: ChatSessionState): LiveChatEvent[] {
  const { sessionId } = command;
  switch (command.type) {
    case 'StartVisitorSession': {
      if (state.status !== 'absent') {
        if (state.visitorName === command.visitorName && state.widgetKey === command.widgetKey) return [];
        throw new ConflictError('SESSION_EXISTS', 'A chat session with this id already exists');
      }
      const { visitorName, visitorEmail, widgetKey } = command;
      return [
        {
          type: 'VisitorSessionStarted',
          data: { sessionId, visitorName, ...(visitorEmail ? { visitorEmail } : {}), widgetKey },
        },
      ];
    }
    case 'PostVisitorMessage': {
      const s = present(state);
      if (alreadyPosted(s, command.messageId, 'visitor', null, command.body)) return [];
      if (s.status === 'CLOSED') throw closed();
      return [
        {
          type: 'VisitorMessagePosted',
          data: { sessionId, messageId: command.messageId, body: command.body },
        },
      ];
    }
    case 'AssignSession': {
      const s = present(state);
      if (!command.isManager && command.agentId !== command.byId)
        throw new ForbiddenError('An agent may assign a session only to themself');
      if (s.status === 'CLOSED') throw closed();
      if (s.assigneeId === command.agentId) return [];
      if (s.assigneeId !== null && !command.isManager) throw taken(s.assigneeId);
      return [
        { type: 'SessionAssigned', data: { sessionId, agentId: command.agentId, assignedBy: command.byId } },
      ];
    }
    case 'JoinSession': {
      const s = present(state);
      if (s.status === 'CLOSED') throw closed();
      if (s.assigneeId !== null && s.assigneeId !== command.agentId) throw taken(s.assigneeId);
      if (s.agentJoined) return [];
      return [{ type: 'AgentJoinedSession', data: { sessionId, agentId: command.agentId } }];
    }
    case 'ReleaseSession': {
      const s = present(state);
      if (s.status === 'CLOSED') throw closed();
      if (s.assigneeId === null) return [];
      if (s.assigneeId !== command.byId && !command.isManager)
        throw new ForbiddenError('Only the assigned agent or a manager may release this session');
      return [
        { type: 'SessionReleased', data: { sessionId, agentId: s.assigneeId, releasedBy: command.byId } },
      ];
    }
    case 'PostAgentMessage': {
      const s = present(state);
      if (alreadyPosted(s, command.messageId, 'agent', command.agentId, command.body)) return [];
      if (s.status === 'CLOSED') throw closed();
      if (s.assigneeId === null)
        throw new ConflictError('SESSION_NOT_TAKEN', 'Take the session before replying');
      if (s.assigneeId !== command.agentId) throw taken(s.assigneeId);
      const posted: LiveChatEvent = {
        type: 'AgentMessagePosted',
        data: { sessionId, messageId: command.messageId, agentId: command.agentId, body: command.body },
      };
      // The first reply of an assigned agent brings them into the conversation.
      return s.agentJoined
        ? [posted]
        : [{ type: 'AgentJoinedSession', data: { sessionId, agentId: command.agentId } }, posted];
    }
    case 'CloseSession': {
      const s = present(state);
      if (s.status === 'CLOSED') return [];
      if (command.by.kind === 'visitor')
        return [{ type: 'SessionClosed', data: { sessionId, by: 'visitor', resolution: 'closed' } }];
      const { agentId, isManager } = command.by;
      if (s.assigneeId !== null && s.assigneeId !== agentId && !isManager) throw taken(s.assigneeId);
      return [{ type: 'SessionClosed', data: { sessionId, by: 'agent', agentId, resolution: 'closed' } }];
    }
    case 'MarkSuggestionSolved': {
      const s = present(state);
      if (!s.suggestedArticles.has(command.articleId))
        throw new NotFoundError('This article was not suggested in this chat', 'NOT_SUGGESTED');
      if (s.status === 'CLOSED') {
        if (s.resolution === 'self-served' && s.solvedBy === command.articleId) return [];
        throw closed();
      }
      return [
        {
          type: 'SessionClosed',
          data: { sessionId, by: 'visitor', resolution: 'self-served', articleId: command.articleId },
        },
      ];
    }
    case 'SuggestArticles': {
      const s = present(state);
      // The bot helps only while no one has: never once an agent joined, never twice for a message.
      if (s.status === 'CLOSED' || s.everJoined) return [];
      if (s.suggestionIds.has(command.suggestionId) || s.suggestedFor.has(command.inReplyTo)) return [];
      if (s.messages.get(command.inReplyTo)?.from !== 'visitor') return [];
      const fresh = command.articles.filter(
        (a, i, all) =>
          !s.suggestedArticles.has(a.articleId) && all.findIndex((b) => b.articleId === a.articleId) === i,
      );
      if (fresh.length === 0) return [];
      return [
        {
          type: 'ArticlesSuggested',
          data: {
            sessionId,
            suggestionId: command.suggestionId,
            inReplyTo: command.inReplyTo,
            articles: fresh.slice(0, MAX_SUGGESTIONS),
          },
        },
      ];
    }
    case 'LinkSessionToTicket': {
      const s = present(state);
      if (s.ticketId === command.ticketId) return [];
      if (s.ticketId !== null)
        throw new ConflictError('ALREADY_LINKED', 'This session is already linked to another ticket', {
          ticketId: s.ticketId,
        });
      return [
        {
          type: 'SessionLinkedToTicket',
          data: { sessionId, ticketId: command.ticketId, agentId: command.agentId },
        },
      ];
    }
  }
}
