import {
  evolveTicket,
  initialTicketState,
  STAFF_ROLES,
  text,
  TicketStatus,
  ticketStream,
} from '@chat/events';
import { z } from 'zod';
import { decideAndAppend } from '../commands/decide-and-append';
import { defineCommand, roles, userIdOf, type CommandContext } from '../commands/define';
import { decideTicket, type TicketCommand } from './decide';

const ticketAggregate = { initialState: initialTicketState, evolve: evolveTicket };
const staff = roles(...STAFF_ROLES);

function decide(context: CommandContext, ticketId: string, command: TicketCommand) {
  return decideAndAppend(context, {
    streamId: ticketStream(ticketId),
    aggregate: ticketAggregate,
    decide: (state) => decideTicket(command, state),
  });
}

export async function ticketExists(context: CommandContext, ticketId: string): Promise<boolean> {
  return (await context.store.readStream(ticketStream(ticketId))).length > 0;
}

/** A ticket made from a Live chat session: the visitor is its requester. */
export function createTicketFromSession(
  context: CommandContext,
  input: {
    ticketId: string;
    subject: string;
    requesterName: string;
    requesterEmail?: string;
    fromSessionId: string;
  },
) {
  return decide(context, input.ticketId, {
    type: 'CreateTicket',
    ...input,
    createdBy: userIdOf(context.issuer),
  });
}

export const createTicket = defineCommand({
  name: 'CreateTicket',
  summary: 'Open a helpdesk ticket',
  body: z.strictObject({
    ticketId: z.uuid(),
    subject: text(1, 200),
    requesterName: text(1, 80).optional(),
    requesterEmail: z.email().max(254).optional(),
  }),
  allow: staff,
  handle: async (context, body) => {
    const { position } = await decide(context, body.ticketId, {
      type: 'CreateTicket',
      ...body,
      createdBy: userIdOf(context.issuer),
    });
    return { position, ticketId: body.ticketId };
  },
});

export const changeTicketStatus = defineCommand({
  name: 'ChangeTicketStatus',
  summary: 'Set a ticket open, pending or solved',
  body: z.strictObject({ ticketId: z.uuid(), status: TicketStatus }),
  allow: staff,
  handle: async (context, body) => {
    const { position } = await decide(context, body.ticketId, {
      type: 'ChangeTicketStatus',
      ...body,
      changedBy: userIdOf(context.issuer),
    });
    return { position };
  },
});

export const addTicketComment = defineCommand({
  name: 'AddTicketComment',
  summary: 'Comment on a ticket (client-chosen commentId: retries are safe)',
  body: z.strictObject({ ticketId: z.uuid(), commentId: z.uuid(), body: text(1, 10_000) }),
  allow: staff,
  handle: async (context, body) => {
    const { position } = await decide(context, body.ticketId, {
      type: 'AddTicketComment',
      ...body,
      authorId: userIdOf(context.issuer),
    });
    return { position };
  },
});

export const helpdeskCommands = [createTicket, changeTicketStatus, addTicketComment];
