import { command, get, type CommandAnswer, type QueryOptions } from './http';
import type { ListAnswer, Ticket, TicketDetail } from './types';

/** GET /api/tickets */
export function listTickets(options: QueryOptions = {}): Promise<ListAnswer<Ticket>> {
  return get('/api/tickets', { revalidate: true, ...options });
}

/** GET /api/tickets/{id}: the ticket with the transcripts of its linked sessions. */
export function getTicket(ticketId: string, options: QueryOptions = {}): Promise<TicketDetail> {
  return get(`/api/tickets/${encodeURIComponent(ticketId)}`, options);
}

export function createTicket(body: {
  ticketId: string;
  subject: string;
  requesterName?: string;
  requesterEmail?: string;
}): Promise<CommandAnswer> {
  return command('CreateTicket', body);
}

export type TicketStatus = 'open' | 'pending' | 'solved';

export function changeTicketStatus(body: { ticketId: string; status: TicketStatus }): Promise<CommandAnswer> {
  return command('ChangeTicketStatus', body);
}

export function addTicketComment(body: {
  ticketId: string;
  commentId: string;
  body: string;
}): Promise<CommandAnswer> {
  return command('AddTicketComment', body);
}
