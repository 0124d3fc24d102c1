import { randomUUID } from 'node:crypto';
import type { CommandBus, Issuer } from '@chat/command-api';
import { REACTION_EMOJIS } from '@chat/events';
import { AppError } from '@chat/platform';
import { asDemoUser, demoUserId } from '../../src/seed/demo';
import { demoChannelId } from '../../src/seed/team-chat';

/** A small deterministic PRNG, so a failing workload can be replayed from its seed. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STAFF = ['emma', 'mitch', 'morgan'];
const WORDS =
  'invoice printer vpn password reset agent install laptop meeting release deploy coffee budget report'.split(
    ' ',
  );

export interface WorkloadResult {
  attempted: number;
  succeeded: number;
  refused: Record<string, number>;
}

/**
 * A long random mix of what people do, issued through the command bus like the HTTP API would:
 * channels made, joined, left and deleted; messages posted, quoted, edited, deleted, reacted to;
 * read marks and mutes; visitors chatting with agents, sessions assigned, released, closed and
 * linked to tickets; ticket comments. Refusals (a rule said no) are part of the mix.
 */
export async function randomWorkload(
  bus: CommandBus,
  options: { seed: number; operations: number; people?: string[] },
): Promise<WorkloadResult & { sessions: string[] }> {
  const PEOPLE = options.people ?? ['emma', 'mitch', 'jamie', 'morgan'];
  const random = mulberry32(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sentence = () => Array.from({ length: 3 + Math.floor(random() * 8) }, () => pick(WORDS)).join(' ');
  const channels = [demoChannelId('general'), demoChannelId('ops'), demoChannelId('proj-014')];
  const messages: string[] = [];
  const sessions: string[] = [];
  const tickets: string[] = [];
  const result: WorkloadResult & { sessions: string[] } = {
    attempted: 0,
    succeeded: 0,
    refused: {},
    sessions,
  };
  const run = async (name: string, issuer: Issuer, body: Record<string, unknown>) => {
    result.attempted++;
    try {
      await bus.execute({ name, issuer, body });
      result.succeeded++;
      return true;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result.refused[error.code] = (result.refused[error.code] ?? 0) + 1;
      return false;
    }
  };
  const person = () => asDemoUser(pick(PEOPLE));
  const staff = () => asDemoUser(pick(STAFF));

  const actions: [number, () => Promise<unknown>][] = [
    [
      3,
      async () => {
        const channelId = randomUUID();
        if (
          await run('CreateChannel', person(), {
            channelId,
            name: `topic-${Math.floor(random() * 1e6)}`,
            visibility: random() < 0.7 ? 'public' : 'private',
          })
        )
          channels.push(channelId);
      },
    ],
    [6, () => run('JoinChannel', person(), { channelId: pick(channels) })],
    [2, () => run('LeaveChannel', person(), { channelId: pick(channels) })],
    [
      2,
      () =>
        run('AddChannelMember', person(), { channelId: pick(channels), userId: demoUserId(pick(PEOPLE)) }),
    ],
    [
      1,
      () =>
        run('DeleteChannel', asDemoUser('emma'), {
          channelId: pick(channels.slice(3).length ? channels.slice(3) : channels),
        }),
    ],
    [
      2,
      async () => {
        const other = pick(PEOPLE);
        const me = pick(PEOPLE.filter((p) => p !== other));
        await run('OpenDirectMessage', asDemoUser(me), { userId: demoUserId(other) });
      },
    ],
    [
      30,
      async () => {
        const messageId = randomUUID();
        const quote = messages.length > 0 && random() < 0.2 ? { quotedMessageId: pick(messages) } : {};
        if (
          await run('PostMessage', person(), {
            channelId: pick(channels),
            messageId,
            body: sentence(),
            ...quote,
          })
        )
          messages.push(messageId);
      },
    ],
    [
      8,
      () =>
        messages.length
          ? run('EditMessage', person(), { messageId: pick(messages), body: sentence() })
          : Promise.resolve(),
    ],
    [
      4,
      () =>
        messages.length ? run('DeleteMessage', person(), { messageId: pick(messages) }) : Promise.resolve(),
    ],
    [
      10,
      () =>
        messages.length
          ? run('ReactToMessage', person(), { messageId: pick(messages), emoji: pick(REACTION_EMOJIS) })
          : Promise.resolve(),
    ],
    [
      3,
      () =>
        messages.length
          ? run('RemoveReaction', person(), { messageId: pick(messages), emoji: pick(REACTION_EMOJIS) })
          : Promise.resolve(),
    ],
    [6, () => run('MarkChannelRead', person(), { channelId: pick(channels) })],
    [2, () => run(random() < 0.5 ? 'MuteChannel' : 'UnmuteChannel', person(), { channelId: pick(channels) })],
    [
      4,
      async () => {
        const sessionId = randomUUID();
        const email =
          random() < 0.5 ? { visitorEmail: `visitor${Math.floor(random() * 1e6)}@example.com` } : {};
        if (
          await run(
            'StartVisitorSession',
            { kind: 'visitor', sessionId },
            { sessionId, visitorName: `Visitor ${sessions.length}`, widgetKey: 'demo', ...email },
          )
        )
          sessions.push(sessionId);
      },
    ],
    [
      8,
      async () => {
        if (!sessions.length) return;
        const sessionId = pick(sessions);
        await run(
          'PostVisitorMessage',
          { kind: 'visitor', sessionId },
          { sessionId, messageId: randomUUID(), body: sentence() },
        );
      },
    ],
    [
      3,
      () =>
        sessions.length ? run('JoinSession', staff(), { sessionId: pick(sessions) }) : Promise.resolve(),
    ],
    [
      2,
      () =>
        sessions.length
          ? run('AssignSession', asDemoUser('morgan'), {
              sessionId: pick(sessions),
              agentId: demoUserId(pick(['mitch', 'emma'])),
            })
          : Promise.resolve(),
    ],
    [
      1,
      () =>
        sessions.length ? run('ReleaseSession', staff(), { sessionId: pick(sessions) }) : Promise.resolve(),
    ],
    [
      5,
      () =>
        sessions.length
          ? run('PostAgentMessage', staff(), {
              sessionId: pick(sessions),
              messageId: randomUUID(),
              body: sentence(),
            })
          : Promise.resolve(),
    ],
    [
      2,
      () =>
        sessions.length ? run('CloseSession', staff(), { sessionId: pick(sessions) }) : Promise.resolve(),
    ],
    [
      1,
      async () => {
        if (!sessions.length) return;
        const ticketId = randomUUID();
        if (
          await run('LinkSessionToTicket', staff(), {
            sessionId: pick(sessions),
            newTicket: { ticketId, subject: sentence() },
          })
        )
          tickets.push(ticketId);
      },
    ],
    [
      1,
      () =>
        tickets.length
          ? run('AddTicketComment', staff(), {
              ticketId: pick(tickets),
              commentId: randomUUID(),
              body: sentence(),
            })
          : Promise.resolve(),
    ],
  ];
  const total = actions.reduce((sum, [weight]) => sum + weight, 0);
  for (let i = 0; i < options.operations; i++) {
    let roll = random() * total;
    for (const [weight, action] of actions) {
      roll -= weight;
      if (roll < 0) {
        await action();
        break;
      }
    }
  }
  return result;
}
