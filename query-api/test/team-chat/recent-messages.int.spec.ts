import { randomUUID } from 'node:crypto';
import { asDemoUser, demoUserId } from '@chat/app';
import { startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { REACTION_EMOJIS } from '@chat/events';
import type { ReadModels } from '@chat/projections';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedReads } from '../../src/prepared-reads';
import { channelMessages, type MessagePage } from '../../src/team-chat/queries';
import { RecentMessages } from '../../src/team-chat/recent-messages';

/** A small deterministic random source, so that a failure can be replayed. */
function randomSource(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return { int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)), next };
}

describe('recent messages kept in memory answer exactly what the table answers', () => {
  let t: TestSystem;
  let db: Kysely<ReadModels>;

  beforeAll(async () => {
    t = await startTestSystem();
    db = t.system.platform.database.db as Kysely<ReadModels>;
  });
  afterAll(async () => t?.close());

  it('for every kind of page, through posts, quotes, edits, deletions and reactions', async () => {
    const random = randomSource(20261126);
    const emma = asDemoUser('emma');
    const run = (name: string, body: unknown) => t.system.bus.execute({ name, issuer: emma, body });
    // Refused ones (an edit of a deleted message, a quote of one) change nothing.
    const attempt = (name: string, body: unknown) => run(name, body).catch(() => undefined);
    const channelId = randomUUID();
    await run('CreateChannel', { channelId, name: 'recent-messages', visibility: 'public' });
    const posted: string[] = [];
    const post = async () => {
      const messageId = randomUUID();
      const quote =
        posted.length > 0 && random.next() < 0.2 ? posted[random.int(0, posted.length - 1)] : undefined;
      await attempt('PostMessage', {
        channelId,
        messageId,
        body: `message ${posted.length + 1}`,
        ...(quote ? { quotedMessageId: quote } : {}),
      });
      posted.push(messageId);
    };
    // More than the newest page it reads first, so that some pages back are not held.
    for (let i = 0; i < 130; i++) await post();

    const reads = new PreparedReads(db);
    const recent = new RecentMessages(reads);
    const served = { after: 0, before: 0, newest: 0 };
    for (let round = 0; round < 15; round++) {
      for (let i = random.int(1, 25); i > 0; i--) {
        const roll = random.next();
        const messageId = posted[random.int(0, posted.length - 1)]!;
        if (roll < 0.4) await post();
        else if (roll < 0.6) await attempt('EditMessage', { messageId, body: `edited in round ${round}` });
        else if (roll < 0.7) await attempt('DeleteMessage', { messageId });
        else {
          const emoji = REACTION_EMOJIS[random.int(0, REACTION_EMOJIS.length - 1)];
          await attempt('ReactToMessage', { messageId, emoji });
        }
      }
      await t.settle();
      const { rows } = await sql<{
        change_seq: number;
        last_seq: number;
      }>`SELECT change_seq, last_seq FROM tc_channels WHERE id = ${channelId}`.execute(db);
      const { change_seq: upTo, last_seq: lastSeq } = rows[0]!;
      for (let ask = 0; ask < 20; ask++) {
        const kind = (['after', 'before', 'newest'] as const)[random.int(0, 2)]!;
        // A poller may know an older change number than memory holds (another poller moved it on).
        const known = random.int(Math.max(0, upTo - 5), upTo);
        const page: MessagePage =
          kind === 'after'
            ? { after: random.int(Math.max(0, known - 60), known) }
            : kind === 'before'
              ? // Now and then from beyond the newest message, which the table answers with the newest.
                { before: random.next() < 0.2 ? lastSeq + random.int(1, 5) : random.int(1, lastSeq) }
              : { newest: true };
        const limit = random.int(1, 60);
        const fromMemory = await recent.page(channelId, page, limit, known, 'users');
        const fromTable = await channelMessages(reads, channelId, page, limit, known);
        if (fromMemory === null) continue;
        served[kind]++;
        expect(fromMemory, JSON.stringify({ round, page, limit })).toEqual(fromTable);
      }
    }
    // Each kind of page was answered from memory, not only read from the table.
    expect(served.after).toBeGreaterThan(10);
    expect(served.before).toBeGreaterThan(10);
    expect(served.newest).toBeGreaterThan(10);
  });

  it('an erasure reaches an open conversation at its next poll', async () => {
    const as = (key: string) => (name: string, body: unknown) =>
      t.system.bus.execute({ name, issuer: asDemoUser(key), body });
    const channelId = randomUUID();
    await as('emma')('CreateChannel', { channelId, name: 'before-erasure', visibility: 'public' });
    await as('jamie')('JoinChannel', { channelId });
    const messageId = randomUUID();
    await as('jamie')('PostMessage', { channelId, messageId, body: 'my phone number is 555 0100' });
    await t.settle();

    const emma = await t.login('emma@demo.local');
    const path = `/api/channels/${channelId}/messages`;
    const open = await emma.get(path);
    expect(open.body.items.map((m: { body: string }) => m.body)).toEqual(['my phone number is 555 0100']);
    const since = `${path}?after=${open.body.cursor}`;
    const first = await emma.get(since);
    expect((await emma.get(since, { 'if-none-match': first.headers.get('etag')! })).status).toBe(304);

    await as('emma')('DeactivateUser', { userId: demoUserId('jamie') });
    await as('emma')('ErasePersonalData', { userId: demoUserId('jamie') });
    await t.settle();
    const next = await emma.get(since, { 'if-none-match': first.headers.get('etag')! });
    expect(next.status).toBe(200);
    expect(next.body.items).toEqual([expect.objectContaining({ id: messageId, body: '[erased]' })]);
    expect((await emma.get(path)).body.items.map((m: { body: string }) => m.body)).toEqual(['[erased]']);
  });
});
