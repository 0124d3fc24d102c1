import { ERASED, type RecordedEvent } from '@chat/events';
import { createTestDatabase } from '@chat/platform/testing/database';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveChatProjector } from '../../src/live-chat/sessions';
import type { ReadModels } from '../../src/read-models';
import { migrateProjector } from '../../src/runtime/migrate';
import { recordedEvent } from '../recorded-event';

/**
 * The Live chat projector applies a batch in memory and writes it at once. However the runtime
 * cuts the log into batches (one event live, thousands in a rebuild), the tables must come out
 * the same: long random histories of sessions, messages, assignments, joins, releases, closes,
 * bot suggestions, ticket links, repeated and stray events and erasures are applied one event at
 * a time and in batches of other sizes, into separate schemas, and compared row for row.
 */

/** A small seeded generator, so that a failing history can be made again from its seed. */
function randomness(seed: number) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  /** One of a list that may be empty (then the action is skipped). */
  const anyOf = <T>(list: readonly T[]): T | undefined => list[int(list.length)];
  const hex = (length: number) => Array.from({ length }, () => int(16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  return { random, int, pick, anyOf, uuid };
}

interface Session {
  id: string;
  status: 'WAITING' | 'ACTIVE' | 'CLOSED';
  assignee: string | null;
  joined: boolean;
  everJoined: boolean;
  unanswered: string[];
  suggested: boolean;
  ticketId: string | null;
}

/** A history the command side could have recorded, plus the odd repeated or stray event. */
function liveChatHistory(seed: number, length: number): RecordedEvent[] {
  const { random, int, pick, anyOf, uuid } = randomness(seed);
  const agents = Array.from({ length: 5 }, uuid);
  const articles = Array.from({ length: 6 }, (_, i) => ({ articleId: uuid(), title: `Article ${i}` }));
  const sessions: Session[] = [];
  const events: RecordedEvent[] = [];
  let position = 1_000n;
  let clock = Date.parse('2025-03-03T08:00:00Z');

  const record = (type: string, data: Record<string, unknown>) => {
    position += BigInt(1 + int(3)) * 1_000n;
    clock += int(120_000);
    const streamId = 'sessionId' in data ? `session-${String(data.sessionId)}` : 'audit';
    events.push(recordedEvent(type, data, { id: uuid(), position, recordedAt: new Date(clock), streamId }));
  };
  const open = () => sessions.filter((s) => s.status !== 'CLOSED');
  const join = (s: Session, agentId: string) => {
    record('AgentJoinedSession', { sessionId: s.id, agentId });
    Object.assign(s, { status: 'ACTIVE', assignee: agentId, joined: true, everJoined: true });
  };

  const actions: [weight: number, act: () => void][] = [
    [
      3,
      () => {
        const s: Session = {
          id: uuid(),
          status: 'WAITING',
          assignee: null,
          joined: false,
          everJoined: false,
          unanswered: [],
          suggested: false,
          ticketId: null,
        };
        sessions.push(s);
        const email = random() < 0.5 ? { visitorEmail: `v${sessions.length}@example.com` } : {};
        record('VisitorSessionStarted', {
          sessionId: s.id,
          visitorName: `Visitor ${sessions.length}`,
          widgetKey: 'demo',
          ...email,
        });
      },
    ],
    [
      6,
      () => {
        const s = anyOf(open());
        if (!s) return;
        const messageId = uuid();
        record('VisitorMessagePosted', { sessionId: s.id, messageId, body: `question ${events.length}` });
        s.unanswered.push(messageId);
      },
    ],
    [
      2,
      () => {
        const s = anyOf(open().filter((o) => !o.everJoined && o.unanswered.length > 0));
        if (!s) return;
        const chosen = articles.filter(() => random() < 0.4).slice(0, 3);
        record('ArticlesSuggested', {
          sessionId: s.id,
          suggestionId: uuid(),
          inReplyTo: s.unanswered.shift(),
          articles: chosen.length > 0 ? chosen : [pick(articles)],
        });
        s.suggested = true;
      },
    ],
    [
      2,
      () => {
        const s = anyOf(open());
        if (!s) return;
        const agentId = pick(agents);
        record('SessionAssigned', { sessionId: s.id, agentId, assignedBy: agentId });
        s.assignee = agentId;
      },
    ],
    [
      2,
      () => {
        const s = anyOf(open().filter((o) => !o.joined));
        if (s) join(s, s.assignee ?? pick(agents));
      },
    ],
    [
      5,
      () => {
        const s = anyOf(open().filter((o) => o.assignee !== null));
        if (!s) return;
        if (!s.joined) join(s, s.assignee!);
        record('AgentMessagePosted', {
          sessionId: s.id,
          messageId: uuid(),
          agentId: s.assignee,
          body: `answer ${events.length}`,
        });
        s.unanswered = [];
      },
    ],
    [
      1,
      () => {
        const s = anyOf(open().filter((o) => o.assignee !== null));
        if (!s) return;
        record('SessionReleased', { sessionId: s.id, agentId: s.assignee, releasedBy: s.assignee });
        Object.assign(s, { status: 'WAITING', assignee: null, joined: false });
      },
    ],
    [
      2,
      () => {
        const s = anyOf(open());
        if (!s) return;
        const selfServed = s.suggested && random() < 0.5;
        record(
          'SessionClosed',
          selfServed
            ? {
                sessionId: s.id,
                by: 'visitor',
                resolution: 'self-served',
                articleId: pick(articles).articleId,
              }
            : random() < 0.5
              ? { sessionId: s.id, by: 'visitor', resolution: 'closed' }
              : { sessionId: s.id, by: 'agent', agentId: pick(agents), resolution: 'closed' },
        );
        s.status = 'CLOSED';
      },
    ],
    [
      1,
      () => {
        const s = anyOf(sessions.filter((o) => o.ticketId === null));
        if (!s) return;
        s.ticketId = uuid();
        record('SessionLinkedToTicket', { sessionId: s.id, ticketId: s.ticketId, agentId: pick(agents) });
      },
    ],
    // The same event recorded twice (a start, a message, an assignment, a close...).
    [
      0.4,
      () => {
        const earlier = anyOf(events);
        if (earlier) record(earlier.type, earlier.data as Record<string, unknown>);
      },
    ],
    // Events the projector must take without throwing: about sessions it never saw or already closed.
    [
      0.3,
      () => {
        const closed = sessions.filter((s) => s.status === 'CLOSED');
        const sessionId = closed.length > 0 && random() < 0.7 ? pick(closed).id : uuid();
        const agentId = pick(agents);
        const [type, data] = pick<[string, Record<string, unknown>]>([
          ['SessionAssigned', { sessionId, agentId, assignedBy: agentId }],
          ['AgentJoinedSession', { sessionId, agentId }],
          ['SessionReleased', { sessionId, agentId, releasedBy: agentId }],
          ['SessionClosed', { sessionId, by: 'agent', agentId, resolution: 'closed' }],
          ['AgentMessagePosted', { sessionId, messageId: uuid(), agentId, body: 'late' }],
        ]);
        record(type, data);
      },
    ],
    [
      0.15,
      () => {
        const s = anyOf(sessions);
        const [kind, subjectId] = s && random() < 0.6 ? ['visitor', s.id] : ['user', pick(agents)];
        record('PersonalDataErased', {
          subject: `${kind}:${subjectId}`,
          kind,
          subjectId,
          erasedBy: agents[0],
        });
      },
    ],
  ];
  const total = actions.reduce((sum, [weight]) => sum + weight, 0);
  while (events.length < length) {
    let roll = random() * total;
    const [, act] = actions.find(([weight]) => (roll -= weight) < 0) ?? actions[0]!;
    act();
  }
  return events;
}

/** Cuts the history into runs of random lengths, as a busy runtime might. */
function randomBatches(events: RecordedEvent[], seed: number): RecordedEvent[][] {
  const { int } = randomness(seed);
  const batches: RecordedEvent[][] = [];
  for (let at = 0; at < events.length;) {
    const size = 1 + int(int(2) === 0 ? 8 : 400);
    batches.push(events.slice(at, at + size));
    at += size;
  }
  return batches;
}

describe('the Live chat projector gives the same tables whatever the batches', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<ReadModels>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db as Kysely<ReadModels>;
  });
  afterAll(async () => database?.close());

  async function project(schema: string, batches: RecordedEvent[][]): Promise<void> {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(db);
    await migrateProjector(db, liveChatProjector, schema);
    for (const batch of batches)
      await db.transaction().execute(async (tx) => {
        await sql`SET LOCAL search_path TO ${sql.id(schema)}, public`.execute(tx);
        await liveChatProjector.apply(tx, batch);
      });
  }

  /** Every row of a table, in a stable order, as JSON. */
  async function rows(schema: string, table: string): Promise<string[]> {
    const { rows } = await sql<{ r: string }>`
      SELECT row_to_json(t)::text AS r FROM ${sql.id(schema, table)} t ORDER BY 1`.execute(db);
    return rows.map((row) => row.r);
  }

  for (const seed of [1, 2, 3]) {
    it(`history ${seed}: one event at a time, in random batches and all at once`, async () => {
      const events = liveChatHistory(seed, 2_500);
      await project(
        'one_by_one',
        events.map((event) => [event]),
      );
      await project('random_batches', randomBatches(events, seed));
      await project('all_at_once', [events]);

      for (const table of liveChatProjector.tables) {
        const expected = await rows('one_by_one', table);
        expect(expected.length, `${table} has rows`).toBeGreaterThan(100);
        expect(await rows('random_batches', table), `${table} in random batches`).toEqual(expected);
        expect(await rows('all_at_once', table), `${table} all at once`).toEqual(expected);
      }

      // The history did exercise what could diverge.
      const types = new Set(events.map((e) => e.type));
      expect([...types].sort()).toEqual([...liveChatProjector.handles].sort());
      const erased = await sql<{ sessions: number; messages: number }>`
        SELECT (SELECT count(*)::int FROM one_by_one.livechat_sessions WHERE visitor_name = ${ERASED}) AS sessions,
               (SELECT count(*)::int FROM one_by_one.livechat_messages WHERE body = ${ERASED}) AS messages`.execute(
        db,
      );
      expect(erased.rows[0]!.sessions).toBeGreaterThan(0);
      expect(erased.rows[0]!.messages).toBeGreaterThan(0);
    }, 180_000); // thousands of one-event transactions on a shared machine
  }
});
