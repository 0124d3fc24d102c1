import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';
import { userSubject } from '../identity/user';
import { visitorSubject } from '../live-chat/session';
import { text } from '../text';

/** A helpdesk ticket: a subject, a requester, a status and comments. Sessions link to it from their side. */
export const TICKET_STATUSES = ['open', 'pending', 'solved'] as const;
export const TicketStatus = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const ticketStream = (ticketId: string) => `ticket-${ticketId}`;
/**
 * The requester of a ticket made from a Live chat session is that session's visitor (erasing the
 * visitor erases them here too); otherwise the requester is a person of their own.
 */
export const requesterSubject = (ticketId: string, fromSessionId?: string) =>
  fromSessionId ? visitorSubject(fromSessionId) : `requester:${ticketId}`;

export const TicketCreated = defineEvent({
  type: 'TicketCreated',
  version: 1,
  schema: z.object({
    ticketId: z.uuid(),
    subject: text(1, 200),
    requesterName: text(1, 80).optional(),
    requesterEmail: z.email().max(254).optional(),
    createdBy: z.uuid(),
    fromSessionId: z.uuid().optional(),
  }),
  personalData: {
    subject: (d) => requesterSubject(d.ticketId, d.fromSessionId),
    fields: ['requesterName', 'requesterEmail'],
  },
});

export const TicketStatusChanged = defineEvent({
  type: 'TicketStatusChanged',
  version: 1,
  schema: z.object({
    ticketId: z.uuid(),
    status: TicketStatus,
    previousStatus: TicketStatus,
    changedBy: z.uuid(),
  }),
});

export const TicketCommentAdded = defineEvent({
  type: 'TicketCommentAdded',
  version: 1,
  schema: z.object({ ticketId: z.uuid(), commentId: z.uuid(), authorId: z.uuid(), body: text(1, 10_000) }),
  personalData: { subject: (d) => userSubject(d.authorId), fields: ['body'] },
});

export const helpdeskEvents = [TicketCreated, TicketStatusChanged, TicketCommentAdded];
export type TicketEvent =
  EventOf<typeof TicketCreated> | EventOf<typeof TicketStatusChanged> | EventOf<typeof TicketCommentAdded>;

export type TicketState =
  | { status: 'absent' }
  | {
      status: TicketStatus;
      ticketId: string;
      subject: string;
      comments: ReadonlyMap<string, { authorId: string; body: string }>;
    };

export const initialTicketState: TicketState = { status: 'absent' };

export function evolveTicket(state: TicketState, event: TicketEvent): TicketState {
  switch (event.type) {
    case 'TicketCreated':
      return state.status === 'absent'
        ? { status: 'open', ticketId: event.data.ticketId, subject: event.data.subject, comments: new Map() }
        : state;
    case 'TicketStatusChanged':
      return state.status === 'absent' ? state : { ...state, status: event.data.status };
    case 'TicketCommentAdded':
      return state.status === 'absent'
        ? state
        : {
            ...state,
            comments: new Map(state.comments).set(event.data.commentId, {
              authorId: event.data.authorId,
              body: event.data.body,
            }),
          };
    default:
      return state;
  }
}
