import {
  chatSessionStream,
  CHAT_MESSAGE_MAX,
  evolveChatSession,
  fold,
  initialChatSessionState,
  STAFF_ROLES,
  SuggestedArticle,
  text,
  VISITOR_NAME_MAX,
  type ChatSessionState,
} from '@chat/events';
import { NotFoundError, ValidationError } from '@chat/platform';
import { VisitorTokens } from '@chat/platform/auth/visitor-tokens';
import { z } from 'zod';
import { decideAndAppend } from '../commands/decide-and-append';
import {
  defineCommand,
  roles,
  systemOnly,
  userIdOf,
  type CommandContext,
  type Issuer,
} from '../commands/define';
import { createTicketFromSession, ticketExists } from '../helpdesk/commands';
import { agentProfile, isActiveStaff, isManager, namingTheAgent } from './agents';
import { decideChatSession, type ChatSessionCommand } from './decide';

export const chatSessionAggregate = { initialState: initialChatSessionState, evolve: evolveChatSession };

const staff = roles(...STAFF_ROLES);
const isVisitor = (issuer: Issuer) => issuer.kind === 'visitor';
const messageBody = text(1, CHAT_MESSAGE_MAX);
export const WidgetKey = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'not a widget key');
export const VisitorEmail = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());

/** Load, decide, append at the exact revision read; a lost race names the agent who won. */
export async function decideSession(context: CommandContext, sessionId: string, command: ChatSessionCommand) {
  try {
    return await decideAndAppend(context, {
      streamId: chatSessionStream(sessionId),
      aggregate: chatSessionAggregate,
      decide: (state: ChatSessionState) => decideChatSession(command, state),
    });
  } catch (error) {
    throw await namingTheAgent(context.store, error);
  }
}

/** A visitor acts only in their own session; any other id is simply not there for them. */
function ownSessionOnly(issuer: Issuer, sessionId: string): void {
  if (issuer.kind === 'visitor' && issuer.sessionId !== sessionId)
    throw new NotFoundError('No such chat session');
}

/** A closed session no longer counts against the address it came from (the open-session cap). */
async function freeAddressSlot(context: CommandContext, sessionId: string, appended: number): Promise<void> {
  if (appended > 0) await new VisitorTokens(context.services.pool).sessionClosed(sessionId);
}

export const startVisitorSession = defineCommand({
  name: 'StartVisitorSession',
  summary: 'A website visitor starts a chat (sent by the widget API)',
  internal: true,
  body: z.strictObject({
    sessionId: z.uuid(),
    visitorName: text(1, VISITOR_NAME_MAX),
    visitorEmail: VisitorEmail.optional(),
    widgetKey: WidgetKey,
  }),
  allow: isVisitor,
  handle: async (context, body) => {
    ownSessionOnly(context.issuer, body.sessionId);
    const { position } = await decideSession(context, body.sessionId, {
      type: 'StartVisitorSession',
      ...body,
    });
    return { position, sessionId: body.sessionId };
  },
});

export const postVisitorMessage = defineCommand({
  name: 'PostVisitorMessage',
  summary: 'A visitor writes in their chat (sent by the widget API)',
  internal: true,
  body: z.strictObject({ sessionId: z.uuid(), messageId: z.uuid(), body: messageBody }),
  allow: isVisitor,
  handle: async (context, body) => {
    ownSessionOnly(context.issuer, body.sessionId);
    const { position } = await decideSession(context, body.sessionId, {
      type: 'PostVisitorMessage',
      ...body,
    });
    return { position };
  },
});

export const markSuggestionSolved = defineCommand({
  name: 'MarkSuggestionSolved',
  summary: 'The visitor says a suggested article solved it: the session closes as self-served',
  internal: true,
  body: z.strictObject({ sessionId: z.uuid(), articleId: z.uuid() }),
  allow: isVisitor,
  handle: async (context, body) => {
    ownSessionOnly(context.issuer, body.sessionId);
    const { position, events } = await decideSession(context, body.sessionId, {
      type: 'MarkSuggestionSolved',
      ...body,
    });
    await freeAddressSlot(context, body.sessionId, events.length);
    return { position };
  },
});

export const suggestArticles = defineCommand({
  name: 'SuggestArticles',
  summary: "The knowledge-base bot's answer to a visitor message (sent by the bot)",
  internal: true,
  body: z.strictObject({
    sessionId: z.uuid(),
    suggestionId: z.uuid(),
    inReplyTo: z.uuid(),
    articles: z.array(SuggestedArticle).min(1).max(10),
  }),
  allow: systemOnly,
  handle: async (context, body) => {
    const decided = await decideSession(context, body.sessionId, {
      type: 'SuggestArticles',
      ...body,
    });
    const { position, events } = decided;
    // What the session will take from the bot from now on, so that it need not ask in vain.
    const state = events.reduce(chatSessionAggregate.evolve, decided.state);
    const open = state.status !== 'absent' && state.status !== 'CLOSED' && !state.everJoined;
    return {
      position,
      suggested: events.length > 0,
      silenced: !open,
      suggestedArticles: state.status === 'absent' ? [] : [...state.suggestedArticles],
    };
  },
});

export const assignSession = defineCommand({
  name: 'AssignSession',
  summary: 'Assign a session: a manager to any agent, an agent to themself',
  body: z.strictObject({ sessionId: z.uuid(), agentId: z.uuid() }),
  allow: staff,
  handle: async (context, body) => {
    const byId = userIdOf(context.issuer);
    const manager = isManager(context.issuer);
    if (manager && body.agentId !== byId && !isActiveStaff(await agentProfile(context.store, body.agentId)))
      throw new ValidationError(
        'Sessions go to active staff members only',
        [{ field: 'body.agentId', message: 'not an active agent' }],
        'NOT_AN_AGENT',
      );
    const { position } = await decideSession(context, body.sessionId, {
      type: 'AssignSession',
      ...body,
      byId,
      isManager: manager,
    });
    return { position };
  },
});

export const joinSession = defineCommand({
  name: 'JoinSession',
  summary: 'Join a session (yours, or an unassigned one: taken and joined in one step); 409 names who has it',
  body: z.strictObject({ sessionId: z.uuid() }),
  allow: staff,
  handle: async (context, body) => {
    const { position } = await decideSession(context, body.sessionId, {
      type: 'JoinSession',
      ...body,
      agentId: userIdOf(context.issuer),
    });
    return { position };
  },
});

export const releaseSession = defineCommand({
  name: 'ReleaseSession',
  summary: 'Put a session back in the queue, unassigned',
  body: z.strictObject({ sessionId: z.uuid() }),
  allow: staff,
  handle: async (context, body) => {
    const { position } = await decideSession(context, body.sessionId, {
      type: 'ReleaseSession',
      ...body,
      byId: userIdOf(context.issuer),
      isManager: isManager(context.issuer),
    });
    return { position };
  },
});

export const postAgentMessage = defineCommand({
  name: 'PostAgentMessage',
  summary: "Reply to the visitor; the assigned agent's first reply activates the session",
  body: z.strictObject({ sessionId: z.uuid(), messageId: z.uuid(), body: messageBody }),
  allow: staff,
  handle: async (context, body) => {
    const { position } = await decideSession(context, body.sessionId, {
      type: 'PostAgentMessage',
      ...body,
      agentId: userIdOf(context.issuer),
    });
    return { position };
  },
});

export const closeSession = defineCommand({
  name: 'CloseSession',
  summary: 'Close a session (its agent, a manager, or the visitor); a closed session takes no more messages',
  body: z.strictObject({ sessionId: z.uuid() }),
  allow: (issuer) => staff(issuer) || isVisitor(issuer),
  handle: async (context, body) => {
    ownSessionOnly(context.issuer, body.sessionId);
    const by =
      context.issuer.kind === 'visitor'
        ? ({ kind: 'visitor' } as const)
        : ({
            kind: 'agent',
            agentId: userIdOf(context.issuer),
            isManager: isManager(context.issuer),
          } as const);
    const { position, events } = await decideSession(context, body.sessionId, {
      type: 'CloseSession',
      ...body,
      by,
    });
    await freeAddressSlot(context, body.sessionId, events.length);
    return { position };
  },
});

export const linkSessionToTicket = defineCommand({
  name: 'LinkSessionToTicket',
  summary: 'Link a session to an existing ticket, or to a new ticket made from it (requester: the visitor)',
  body: z.union([
    z.strictObject({ sessionId: z.uuid(), ticketId: z.uuid() }),
    z.strictObject({
      sessionId: z.uuid(),
      newTicket: z.strictObject({ ticketId: z.uuid(), subject: text(1, 200) }),
    }),
  ]),
  allow: staff,
  handle: async (context, body) => {
    const agentId = userIdOf(context.issuer);
    let ticketId: string;
    if ('newTicket' in body) {
      const history = await context.store.readStream(chatSessionStream(body.sessionId));
      const session = fold(chatSessionAggregate, history);
      if (session.status === 'absent') throw new NotFoundError('No such chat session');
      await createTicketFromSession(context, {
        ticketId: body.newTicket.ticketId,
        subject: body.newTicket.subject,
        requesterName: session.visitorName,
        requesterEmail: session.visitorEmail ?? undefined,
        fromSessionId: body.sessionId,
      });
      ticketId = body.newTicket.ticketId;
    } else {
      if (!(await ticketExists(context, body.ticketId))) throw new NotFoundError('No such ticket');
      ticketId = body.ticketId;
    }
    const { position } = await decideSession(context, body.sessionId, {
      type: 'LinkSessionToTicket',
      sessionId: body.sessionId,
      ticketId,
      agentId,
    });
    return { position, ticketId };
  },
});

export const liveChatCommands = [
  startVisitorSession,
  postVisitorMessage,
  markSuggestionSolved,
  suggestArticles,
  assignSession,
  joinSession,
  releaseSession,
  postAgentMessage,
  closeSession,
  linkSessionToTicket,
];
