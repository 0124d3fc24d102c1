import type { TicketEvent, TicketState, TicketStatus } from '@chat/events';
import { ConflictError, NotFoundError } from '@chat/platform';

export type TicketCommand =
  | {
      type: 'CreateTicket';
      ticketId: string;
      subject: string;
      requesterName?: string;
      requesterEmail?: string;
      createdBy: string;
      fromSessionId?: string;
    }
  | { type: 'ChangeTicketStatus'; ticketId: string; status: TicketStatus; changedBy: string }
  | { type: 'AddTicketComment'; ticketId: string; commentId: string; authorId: string; body: string };

/** The rules of a helpdesk ticket. Pure: state and command in, events out. */
export function decideTicket(command: TicketCommand, state: TicketState): TicketEvent[] {
  switch (command.type) {
    case 'CreateTicket': {
      if (state.status !== 'absent') {
        if (state.subject === command.subject) return [];
        throw new ConflictError('TICKET_EXISTS', 'A ticket with this id already exists');
      }
      const { type: _type, ...data } = command;
      return [{ type: 'TicketCreated', data }];
    }
    case 'ChangeTicketStatus': {
      if (state.status === 'absent') throw new NotFoundError('No such ticket');
      if (state.status === command.status) return [];
      return [
        {
          type: 'TicketStatusChanged',
          data: {
            ticketId: command.ticketId,
            status: command.status,
            previousStatus: state.status,
            changedBy: command.changedBy,
          },
        },
      ];
    }
    case 'AddTicketComment': {
      if (state.status === 'absent') throw new NotFoundError('No such ticket');
      const known = state.comments.get(command.commentId);
      if (known) {
        if (known.authorId === command.authorId && known.body === command.body) return [];
        throw new ConflictError('COMMENT_ID_TAKEN', 'Another comment already has this id');
      }
      return [
        {
          type: 'TicketCommentAdded',
          data: {
            ticketId: command.ticketId,
            commentId: command.commentId,
            authorId: command.authorId,
            body: command.body,
          },
        },
      ];
    }
  }
}
