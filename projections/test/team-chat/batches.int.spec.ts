import type { RecordedEvent } from '@chat/events';
import { createTestDatabase } from '@chat/platform/testing/database';
import fc from 'fast-check';
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadModels } from '../../src/read-models';
import { comparableRow } from '../../src/audit/replay-compare';
import { migrateProjector } from '../../src/runtime/migrate';
import type { RebuildingProjector } from '../../src/runtime/types';
import { teamChatProjector } from '../../src/team-chat/projector';
import { teamChatTables } from '../../src/team-chat/tables';
import { recordedEvent } from '../recorded-event';

/**
 * The Team chat projector applies a batch in memory and writes it back at the end. Whatever the
 * batch sizes, the tables must be exactly those of applying the same history one event at a time:
 * random histories of every Team chat event (quotes across channels, attachments, edits,
 * deletions, reactions, read marks, joins and re-joins, mutes, a deleted channel, an erasure,
 * events recorded twice) are applied both ways and compared row for row.
 */

const uuid = (group: string, n: number) => `00000000-0000-4000-${group}-${n.toString(16).padStart(12, '0')}`;
const USERS = [0, 1, 2, 3, 4].map((n) => uuid('a000', n));
const CHANNELS = [0, 1, 2].map((n) => uuid('b000', n));
const DM = uuid('b000', 9);

type Step = [kind: number, a: number, b: number, c: number];
const step: fc.Arbitrary<Step> = fc.tuple(fc.nat(99), fc.nat(4), fc.nat(300), fc.nat(300));

/** Turns random numbers into a plausible history: the projector must cope with anything recorded. */
function history(steps: Step[]): { type: string; data: Record<string, unknown> }[] {
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const messages: { id: string; channelId: string; author: string }[] = [];
  let attachments = 0;
  const emit = (type: string, data: Record<string, unknown>) => events.push({ type, data });
  for (const [i, channelId] of CHANNELS.entries()) {
    emit('ChannelCreated', {
      channelId,
      name: `c${i}`,
      visibility: i === 2 ? 'private' : 'public',
      description: null,
      createdBy: USERS[i],
    });
  }
  emit('DirectMessageOpened', { channelId: DM, userIds: [USERS[0], USERS[1]], openedBy: USERS[0] });
  const channels = [...CHANNELS, DM];
  for (const [kind, a, b, c] of steps) {
    const user = USERS[a]!;
    const channelId = channels[b % channels.length]!;
    const message = messages[b % Math.max(1, messages.length)];
    if (kind < 35) {
      const quoted = c % 3 === 0 ? messages[c % Math.max(1, messages.length)] : undefined;
      const id = uuid('c000', messages.length);
      const files =
        c % 5 === 0
          ? [
              {
                id: uuid('d000', attachments++),
                name: 'a.png',
                size: 10,
                contentType: 'image/png',
                sha256: 'a'.repeat(64),
                width: 1,
                height: 1,
              },
            ]
          : [];
      emit('MessagePosted', {
        messageId: id,
        channelId,
        authorId: user,
        body: `m ${id} ${c}`,
        quotedMessageId: quoted?.id ?? null,
        attachments: files,
      });
      messages.push({ id, channelId, author: user });
    } else if (kind < 45 && message) {
      emit('MessageEdited', {
        messageId: message.id,
        channelId: message.channelId,
        authorId: message.author,
        body: `edited ${c}`,
      });
    } else if (kind < 52 && message) {
      emit('MessageDeleted', {
        messageId: message.id,
        channelId: message.channelId,
        deletedBy: message.author,
      });
    } else if (kind < 65 && message) {
      const type = c % 3 === 0 ? 'ReactionRemoved' : 'ReactionAdded';
      emit(type, {
        messageId: message.id,
        channelId: message.channelId,
        userId: user,
        emoji: ['👍', '🎉'][c % 2],
      });
    } else if (kind < 80) {
      const marked = c % 2 === 0 && message ? message : undefined;
      emit('ChannelReadMarked', {
        channelId: marked?.channelId ?? channelId,
        userId: user,
        messageId: marked?.id ?? null,
      });
    } else if (kind < 87) {
      emit('ChannelJoined', { channelId, userId: user });
    } else if (kind < 92) {
      // Sometimes read up, leave and come back at once: the re-join starts the read counts over.
      if (c % 2 === 0) emit('ChannelReadMarked', { channelId, userId: user, messageId: null });
      emit('ChannelLeft', { channelId, userId: user });
      if (c % 2 === 0) emit('ChannelJoined', { channelId, userId: user });
    } else if (kind < 96) {
      emit(c % 2 ? 'ChannelMuted' : 'ChannelUnmuted', { channelId, userId: user });
    } else if (kind < 97) {
      emit('ChannelDeleted', { channelId: CHANNELS[2], name: 'c2', deletedBy: USERS[2] });
    } else if (kind < 98) {
      emit('PersonalDataErased', {
        subject: `user:${user}`,
        kind: 'user',
        subjectId: user,
        erasedBy: USERS[0],
      });
    } else if (events.length > 0) {
      events.push(events[c % events.length]!); // recorded twice: the second changes nothing
    }
  }
  return events;
}

function recorded(events: { type: string; data: Record<string, unknown> }[]): RecordedEvent[] {
  return events.map(({ type, data }, i) =>
    recordedEvent(type, data, {
      id: uuid('e000', i),
      position: BigInt((i + 1) * 1000),
      revision: BigInt(i),
      recordedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    }),
  );
}

describe('Team chat projector: any batch sizes give the tables of one event at a time, live or rebuilding', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Kysely<ReadModels>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db as Kysely<ReadModels>;
    for (const schema of ['one_at_a_time', 'in_batches', 'rebuilt'])
      await migrateProjector(db, teamChatProjector, schema);
  });
  afterAll(async () => database?.close());

  async function project(
    schema: string,
    batches: RecordedEvent[][],
    projector: RebuildingProjector = teamChatProjector,
  ) {
    for (const table of teamChatTables) await sql`TRUNCATE ${sql.id(schema, table)}`.execute(db);
    const inSchema = (work: (tx: Transaction<ReadModels>) => Promise<void>) =>
      db.transaction().execute(async (tx) => {
        await sql`SET LOCAL search_path TO ${sql.id(schema)}, public`.execute(tx);
        await work(tx);
      });
    for (const batch of batches) await inSchema((tx) => projector.apply(tx, batch));
    if (projector.complete) await inSchema(projector.complete);
  }

  async function dump(schema: string): Promise<Record<string, string[]>> {
    const tables: Record<string, string[]> = {};
    for (const table of teamChatTables) {
      const { rows } = await sql<{
        r: string;
      }>`SELECT ${comparableRow('t')} AS r FROM ${sql.id(schema, table)} t ORDER BY 1`.execute(db);
      tables[table] = rows.map((row) => row.r);
    }
    return tables;
  }

  it('random histories, random batch boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 20, maxLength: 150 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1 }),
        async (steps, sizes) => {
          const events = recorded(history(steps));
          await project(
            'one_at_a_time',
            events.map((e) => [e]),
          );
          const batches: RecordedEvent[][] = [];
          for (let at = 0, i = 0; at < events.length; i++) {
            const size = sizes[i % sizes.length]!;
            batches.push(events.slice(at, at + size));
            at += size;
          }
          await project('in_batches', batches);
          const oneAtATime = await dump('one_at_a_time');
          expect(await dump('in_batches')).toEqual(oneAtATime);
          // A rebuild's projector keeps channels and members in memory, and writes them at the end.
          await project('rebuilt', batches, teamChatProjector.rebuilding!());
          expect(await dump('rebuilt')).toEqual(oneAtATime);
        },
      ),
      { numRuns: 60 },
    );
  });
});
