import { evolveTicket, initialTicketState, type TicketEvent } from '@chat/events';
import { describe, it } from 'vitest';
import { decideTicket } from '../../src/helpdesk/decide';
import { given as givenEvents } from '../../src/testing/decider-spec';

const tickets = { initialState: initialTicketState, evolve: evolveTicket };
const given = (_aggregate: typeof tickets, history: TicketEvent[] = []) => givenEvents(tickets, history);
const ticketId = '00000000-0000-4000-a000-000000000001';
const mitch = '00000000-0000-4000-a000-0000000000a1';
const comment = '00000000-0000-4000-a000-0000000000b1';
const created: TicketEvent = {
  type: 'TicketCreated',
  data: { ticketId, subject: 'Printer', requesterName: 'Noah', createdBy: mitch },
};
const commented: TicketEvent = {
  type: 'TicketCommentAdded',
  data: { ticketId, commentId: comment, authorId: mitch, body: 'Asked facilities' },
};

describe('a helpdesk ticket', () => {
  it('is created open', () =>
    given(tickets)
      .when((s) =>
        decideTicket(
          { type: 'CreateTicket', ticketId, subject: 'Printer', requesterName: 'Noah', createdBy: mitch },
          s,
        ),
      )
      .then([created]));
  it('creating it again is a retry; another ticket under its id a conflict', () => {
    given(tickets, [created])
      .when((s) => decideTicket({ type: 'CreateTicket', ticketId, subject: 'Printer', createdBy: mitch }, s))
      .then([]);
    given(tickets, [created])
      .when((s) => decideTicket({ type: 'CreateTicket', ticketId, subject: 'Other', createdBy: mitch }, s))
      .thenThrows('TICKET_EXISTS', 409);
  });
  it('moves between open, pending and solved, and not to where it is', () => {
    given(tickets, [created])
      .when((s) =>
        decideTicket({ type: 'ChangeTicketStatus', ticketId, status: 'pending', changedBy: mitch }, s),
      )
      .then([
        {
          type: 'TicketStatusChanged',
          data: { ticketId, status: 'pending', previousStatus: 'open', changedBy: mitch },
        },
      ]);
    given(tickets, [created])
      .when((s) =>
        decideTicket({ type: 'ChangeTicketStatus', ticketId, status: 'open', changedBy: mitch }, s),
      )
      .then([]);
  });
  it('takes comments, each once', () => {
    given(tickets, [created])
      .when((s) =>
        decideTicket(
          {
            type: 'AddTicketComment',
            ticketId,
            commentId: comment,
            authorId: mitch,
            body: 'Asked facilities',
          },
          s,
        ),
      )
      .then([commented]);
    given(tickets, [created, commented])
      .when((s) =>
        decideTicket(
          {
            type: 'AddTicketComment',
            ticketId,
            commentId: comment,
            authorId: mitch,
            body: 'Asked facilities',
          },
          s,
        ),
      )
      .then([]);
    given(tickets, [created, commented])
      .when((s) =>
        decideTicket(
          { type: 'AddTicketComment', ticketId, commentId: comment, authorId: mitch, body: 'else' },
          s,
        ),
      )
      .thenThrows('COMMENT_ID_TAKEN', 409);
  });
  it('an unknown ticket is not found', () =>
    given(tickets)
      .when((s) =>
        decideTicket({ type: 'ChangeTicketStatus', ticketId, status: 'solved', changedBy: mitch }, s),
      )
      .thenThrows('NOT_FOUND', 404));
});
