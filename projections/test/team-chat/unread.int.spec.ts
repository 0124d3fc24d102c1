import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@chat/platform/testing/database';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadModels } from '../../src/read-models';
import { migrateProjector } from '../../src/runtime/migrate';
import { teamChatProjector } from '../../src/team-chat/projector';
import { recordedEvent } from '../recorded-event';

/**
 * The unread count is kept by arithmetic (live messages minus those read minus my own after the
 * mark), never recounted. Random histories of posts, deletions, read marks, joins and leaves
 * must give exactly what counting the messages one by one gives, after every single event.
 */

const USERS = ['a', 'b', 'c', 'd'].map((k) => `00000000-0000-4000-a000-00000000000${k}`);

type Action =
  | { kind: 'post'; user: number }
  | { kind: 'delete'; message: number }
  | { kind: 'mark'; user: number; message: number | null }
  | { kind: 'join'; user: number }
  | { kind: 'leave'; user: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('post' as const), user: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), message: fc.nat(200) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('mark' as const),
      user: fc.nat(3),
      message: fc.option(fc.nat(200)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const), user: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), user: fc.nat(3) }) },
);

/** The obvious model: count the messages. */
class Model {
  messages: { id: string; seq: number; author: string; deleted: boolean }[] = [];
  members = new Set<string>([USERS[0]!]);
  readSeq = new Map<string, number>([[USERS[0]!, 0]]);
  lastSeq = () => this.messages.length;
  unread(user: string): number {
    if (!this.members.has(user)) return 0;
    const mark = this.readSeq.get(user) ?? 0;
    return this.messages.filter((m) => !m.deleted && m.author !== user && m.seq > mark).length;
  }
}

describe('unread counts by arithmetic equal unread counts by counting', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<ReadModels>;
  let position = 1_000n;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db as Kysely<ReadModels>;
    await migrateProjector(db, teamChatProjector);
  });
  afterAll(async () => database?.close());

  async function apply(type: string, data: Record<string, unknown>) {
    position += 1_000n;
    const event = recordedEvent(type, data, { id: randomUUID(), position, recordedAt: new Date() });
    await db.transaction().execute((tx) => teamChatProjector.apply(tx, [event]));
  }

  async function projected(channelId: string): Promise<Map<string, number>> {
    const { rows } = await sql<{ user_id: string; unread: number }>`
      SELECT m.user_id, CASE WHEN m.is_member THEN c.live_count - m.read_live - m.mine_after ELSE 0 END AS unread
      FROM tc_members m JOIN tc_channels c ON c.id = m.channel_id WHERE m.channel_id = ${channelId}`.execute(
      db,
    );
    return new Map(rows.map((r) => [r.user_id, Number(r.unread)]));
  }

  it('after every event of random histories', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30 }), async (actions) => {
        const channelId = randomUUID();
        const model = new Model();
        await apply('ChannelCreated', {
          channelId,
          name: 'c',
          visibility: 'public',
          description: null,
          createdBy: USERS[0],
        });
        for (const a of actions) {
          if (a.kind === 'post') {
            const author = USERS[a.user]!;
            if (!model.members.has(author)) continue;
            const id = randomUUID();
            await apply('MessagePosted', {
              messageId: id,
              channelId,
              authorId: author,
              body: 'x',
              quotedMessageId: null,
              attachments: [],
            });
            model.messages.push({ id, seq: model.lastSeq() + 1, author, deleted: false });
          } else if (a.kind === 'delete') {
            const message = model.messages[a.message % Math.max(1, model.messages.length)];
            if (!message) continue;
            await apply('MessageDeleted', { messageId: message.id, channelId, deletedBy: message.author });
            message.deleted = true;
          } else if (a.kind === 'mark') {
            const user = USERS[a.user]!;
            const message =
              a.message === null ? null : model.messages[a.message % Math.max(1, model.messages.length)];
            await apply('ChannelReadMarked', { channelId, userId: user, messageId: message?.id ?? null });
            if (model.readSeq.has(user)) {
              const target = message ? message.seq : model.lastSeq();
              model.readSeq.set(user, Math.max(model.readSeq.get(user)!, target));
            }
          } else if (a.kind === 'join') {
            const user = USERS[a.user]!;
            await apply('ChannelJoined', { channelId, userId: user });
            if (!model.members.has(user)) {
              model.members.add(user);
              model.readSeq.set(user, model.lastSeq());
            }
          } else {
            const user = USERS[a.user]!;
            await apply('ChannelLeft', { channelId, userId: user });
            model.members.delete(user);
          }
          const actual = await projected(channelId);
          for (const user of USERS)
            expect(actual.get(user) ?? 0, `${user} after ${JSON.stringify(a)}`).toBe(model.unread(user));
        }
      }),
      { numRuns: 150 },
    );
  });
});
