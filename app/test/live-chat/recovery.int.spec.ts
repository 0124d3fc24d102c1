import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import type { Issuer } from '@chat/command-api';
import {
  allProjectors,
  createKnowledgeBaseBot,
  helpdeskProjector,
  knowledgeBaseProjector,
  liveChatProjector,
  ProjectionRunner,
  rebuildProjector,
  scratchSchema,
  type Projector,
  type ReadModels,
} from '@chat/projections';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDemoUser } from '../../src/seed/demo';
import { kbBotIssuer } from '../../src/live-chat/kb-bot';

class Killed extends Error {}

/** A projector that dies after applying `after` events, in the middle of its batch. */
function dyingAfter(projector: Projector, after: number): Projector {
  let applied = 0;
  return {
    ...projector,
    apply: async (tx, events) => {
      if (applied + events.length > after) {
        await projector.apply(tx, events.slice(0, after - applied));
        throw new Killed(`${projector.name} killed mid-batch`);
      }
      applied += events.length;
      return projector.apply(tx, events);
    },
  };
}

/** Every row of a read-model table, in a stable order, as JSON. */
async function dump(db: Kysely<ReadModels>, schema: string, table: string): Promise<string[]> {
  const { rows } = await sql<{
    r: string;
  }>`SELECT row_to_json(t)::text AS r FROM ${sql.id(schema, table)} t ORDER BY 1`.execute(db);
  return rows.map((r) => r.r);
}

const QUESTIONS = [
  'I forgot my password, how can I reset it?',
  'The printer on my floor is offline',
  'Where can I download the agent installer?',
  'qwzx blorft zzyzx',
  "I need a copy of last month's invoice",
];

describe('Live chat read models and the bot after a crash', () => {
  let t: TestSystem;
  let db: Kysely<ReadModels>;
  /** The sessions of this test, and whether each ever had an agent or was closed. */
  const sessions = new Map<string, { joined: boolean; closed: boolean }>();

  beforeAll(async () => {
    // Nothing follows the log on its own: this test decides when projectors and the bot run, and when they die.
    t = await startTestSystem({ parts: { projections: false } });
    db = t.system.platform.database.db as Kysely<ReadModels>;
    const bus = t.system.bus;
    const mitch = asDemoUser('mitch');
    for (let i = 0; i < 12; i++) {
      const sessionId = randomUUID();
      const visitor: Issuer = { kind: 'visitor', sessionId };
      sessions.set(sessionId, { joined: i % 3 === 0, closed: i % 5 === 2 });
      await bus.execute({
        name: 'StartVisitorSession',
        issuer: visitor,
        body: { sessionId, visitorName: `Crash ${i}`, widgetKey: 'demo' },
      });
      await bus.execute({
        name: 'PostVisitorMessage',
        issuer: visitor,
        body: { sessionId, messageId: randomUUID(), body: QUESTIONS[i % QUESTIONS.length] },
      });
      if (i % 3 === 0) {
        await bus.execute({ name: 'JoinSession', issuer: mitch, body: { sessionId } });
        await bus.execute({
          name: 'PostAgentMessage',
          issuer: mitch,
          body: { sessionId, messageId: randomUUID(), body: `Hello ${i}` },
        });
      }
      if (i % 4 === 1) {
        const ticketId = randomUUID();
        await bus.execute({
          name: 'LinkSessionToTicket',
          issuer: mitch,
          body: { sessionId, newTicket: { ticketId, subject: `Ticket ${i}` } },
        });
        await bus.execute({
          name: 'AddTicketComment',
          issuer: mitch,
          body: { ticketId, commentId: randomUUID(), body: `Looked at ${i}` },
        });
      }
      await bus.execute({
        name: 'PostVisitorMessage',
        issuer: visitor,
        body: { sessionId, messageId: randomUUID(), body: QUESTIONS[(i + 2) % QUESTIONS.length] },
      });
      if (i % 5 === 2) await bus.execute({ name: 'CloseSession', issuer: visitor, body: { sessionId } });
    }
  }, 180_000);
  afterAll(async () => t?.close());

  it('projectors killed mid-batch, then restarted, leave exactly what a clean rebuild gives', async () => {
    const { store, logger } = t.system.platform;
    for (const projector of [liveChatProjector, helpdeskProjector, knowledgeBaseProjector]) {
      let deaths = 0;
      for (const after of [1, 2, 4]) {
        const dying = new ProjectionRunner({
          db,
          store,
          logger,
          batchSize: 12,
          projectors: [dyingAfter(projector, after)],
        });
        await dying.catchUp().catch((error: unknown) => {
          expect(error).toBeInstanceOf(Killed);
          deaths++;
        });
      }
      expect(deaths, projector.name).toBeGreaterThan(0);
    }
    // Restarted: a runner of every projector (the bot waits for the next test) carries on from the checkpoints the dead ones left.
    await new ProjectionRunner({ db, store, logger, projectors: allProjectors }).catchUp();
    for (const projector of [liveChatProjector, helpdeskProjector, knowledgeBaseProjector]) {
      await rebuildProjector({ db, store, logger }, projector, { swap: false });
      for (const table of projector.tables) {
        const live = await dump(db, 'public', table);
        expect(live.length, table).toBeGreaterThan(0);
        expect(live, table).toEqual(await dump(db, scratchSchema(projector), table));
      }
    }
  });

  it('the bot killed after acting and before its checkpoint, again and again, suggests exactly once per message', async () => {
    const { store, logger } = t.system.platform;
    const issue = kbBotIssuer(t.system.bus);
    let acted = 0;
    const dyingBot = createKnowledgeBaseBot({
      db,
      logger,
      issue: async (...args) => {
        const answer = await issue(...args);
        if (++acted % 2 === 1) throw new Killed('the bot died before recording its checkpoint');
        return answer;
      },
    });
    const runner = new ProjectionRunner({
      db,
      store,
      logger,
      projectors: [knowledgeBaseProjector],
      reactors: [dyingBot],
      batchSize: 10,
    });
    let deaths = 0;
    for (;;) {
      try {
        await runner.catchUp();
        break;
      } catch (error) {
        expect(error).toBeInstanceOf(Killed);
        deaths++;
      }
    }
    expect(deaths).toBeGreaterThan(3);
    await t.settle(); // the system's own bot has nothing left to add

    const events = await store.readAll(-1n, 100_000);
    const suggestions = events.filter((e) => e.type === 'ArticlesSuggested');
    const repliedTo = suggestions.map((e) => (e.data as { inReplyTo: string }).inReplyTo);
    expect(new Set(repliedTo).size).toBe(repliedTo.length);

    // Exactly what a clean bot, coming after all of it, answers: each matching visitor message of
    // a session that no agent joined and nobody closed; nothing elsewhere.
    const answered = new Set(repliedTo);
    for (const e of events) {
      if (e.type !== 'VisitorMessagePosted') continue;
      const { sessionId, messageId, body } = e.data as { sessionId: string; messageId: string; body: string };
      const session = sessions.get(sessionId);
      if (!session) continue;
      const shouldAnswer = !session.joined && !session.closed && !body.includes('qwzx');
      expect(answered.has(messageId), `${body} (joined: ${session.joined}, closed: ${session.closed})`).toBe(
        shouldAnswer,
      );
    }
    const rows = await db
      .selectFrom('livechat_messages')
      .select(['in_reply_to'])
      .where('sender', '=', 'bot')
      .execute();
    expect(rows.map((r) => r.in_reply_to).sort()).toEqual([...repliedTo].sort());
  });
});
