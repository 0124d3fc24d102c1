import { randomUUID } from 'node:crypto';
import { channelStream, messageStream } from '@chat/events';
import { ApiClient, startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientReads } from './helpers';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */

/**
 * The invariants that must hold when requests race. On a real Postgres they truly run at once;
 * PGlite serves one connection at a time, so there they only prove the retries are idempotent.
 */
describe(`Team chat under concurrency (${onRealPostgres() ? 'real Postgres' : 'PGlite, sequential'})`, () => {
  let t: TestSystem;
  let emma: ApiClient;

  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
    patientReads(emma);
  });
  afterAll(async () => t?.close());

  /** A new signed-in user, without the password round trip. */
  async function newUser(name: string): Promise<ApiClient> {
    const userId = randomUUID();
    const created = await emma.command('CreateUser', {
      userId,
      email: `${name}-${userId}@demo.local`,
      name,
      role: 'USER',
      password: 'race-pw',
    });
    expect(created.status).toBe(200);
    const { token } = await t.system.platform.sessions.create(userId, 'USER');
    const client = new ApiClient(t.url, token, { id: userId, email: '', name, role: 'USER' });
    client.lastPosition = created.body.position;
    patientReads(client);
    return client;
  }
  const streamTypes = async (streamId: string) =>
    (await t.system.platform.store.readStream(streamId)).map((e) => e.type);

  it('20 concurrent CreateChannel with one name: exactly one channel', async () => {
    const name = `race-${randomUUID().slice(0, 8)}`;
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const answers = await Promise.all(
      ids.map((channelId) => emma.command('CreateChannel', { channelId, name, visibility: 'public' })),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(409);
      expect(lost.body.error.code).toBe('CHANNEL_NAME_TAKEN');
    }
    emma.lastPosition = won[0]!.body.position;
    const listed = ((await emma.get('/api/channels')).body.items as any[]).filter((c) => c.name === name);
    expect(listed).toHaveLength(1);
    const created = await Promise.all(ids.map(async (id) => (await streamTypes(channelStream(id))).length));
    expect(created.filter((n) => n > 0)).toHaveLength(1);
  });

  it('both users opening the same DM at once: one DM', async () => {
    for (let round = 0; round < 3; round++) {
      const [ann, bob] = await Promise.all([newUser('Ann'), newUser('Bob')]);
      const answers = await Promise.all([
        ann.command('OpenDirectMessage', { userId: bob.user!.id }),
        bob.command('OpenDirectMessage', { userId: ann.user!.id }),
        ann.command('OpenDirectMessage', { userId: bob.user!.id }),
        bob.command('OpenDirectMessage', { userId: ann.user!.id }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const channelIds = new Set(answers.map((a) => a.body.channelId));
      expect(channelIds.size).toBe(1);
      const [dm] = [...channelIds];
      expect(await streamTypes(channelStream(dm))).toEqual(['DirectMessageOpened']);
      ann.lastPosition = answers
        .map((a) => BigInt(a.body.position))
        .reduce((a, b) => (a > b ? a : b))
        .toString();
      expect(
        ((await ann.get('/api/channels')).body.items as any[]).filter((c) => c.kind === 'dm'),
      ).toHaveLength(1);
    }
  });

  it('20 concurrent identical reactions: count 1', async () => {
    const channelId = randomUUID();
    await emma.command('CreateChannel', {
      channelId,
      name: `react-${randomUUID().slice(0, 8)}`,
      visibility: 'public',
    });
    const messageId = randomUUID();
    await emma.command('PostMessage', { channelId, messageId, body: 'race me' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => emma.command('ReactToMessage', { messageId, emoji: '👍' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(
      (await streamTypes(messageStream(messageId))).filter((type) => type === 'ReactionAdded'),
    ).toHaveLength(1);
    emma.lastPosition = answers
      .map((a) => BigInt(a.body.position))
      .reduce((a, b) => (a > b ? a : b))
      .toString();
    const [message] = (await emma.get(`/api/channels/${channelId}/messages`)).body.items;
    expect(message.reactions).toEqual([{ emoji: '👍', count: 1, mine: true, userIds: [emma.user!.id] }]);
  });

  it('different users reacting at once lose no reaction: every 200 is counted, a 409 means try again', async () => {
    const channelId = randomUUID();
    await emma.command('CreateChannel', {
      channelId,
      name: `crowd-${randomUUID().slice(0, 8)}`,
      visibility: 'public',
    });
    const messageId = randomUUID();
    await emma.command('PostMessage', { channelId, messageId, body: 'crowd' });
    const crowd = await Promise.all(Array.from({ length: 8 }, (_, i) => newUser(`Fan${i}`)));
    for (const fan of crowd) expect((await fan.command('JoinChannel', { channelId })).status).toBe(200);
    const answers = await Promise.all(
      crowd.map((c) => c.command('ReactToMessage', { messageId, emoji: '🎉' })),
    );
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    const accepted = answers.filter((a) => a.status === 200).length;
    expect(
      (await streamTypes(messageStream(messageId))).filter((type) => type === 'ReactionAdded'),
    ).toHaveLength(accepted);
  });

  it('the same PostMessage retried 5 times in parallel: one message', async () => {
    const channelId = randomUUID();
    await emma.command('CreateChannel', {
      channelId,
      name: `retry-${randomUUID().slice(0, 8)}`,
      visibility: 'public',
    });
    const messageId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        emma.command('PostMessage', { channelId, messageId, body: 'only once, please' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.position)).size).toBe(1);
    expect(await streamTypes(messageStream(messageId))).toEqual(['MessagePosted']);
    const { items } = (await emma.get(`/api/channels/${channelId}/messages`)).body;
    expect(items.map((m: any) => m.id)).toEqual([messageId]);
  });

  it('concurrent posters in one channel: every message gets its own seq, 1..n without gaps', async () => {
    const channelId = randomUUID();
    await emma.command('CreateChannel', {
      channelId,
      name: `busy-${randomUUID().slice(0, 8)}`,
      visibility: 'public',
    });
    const posters = await Promise.all(Array.from({ length: 5 }, (_, i) => newUser(`Poster${i}`)));
    for (const poster of posters)
      expect((await poster.command('JoinChannel', { channelId })).status).toBe(200);
    const answers = await Promise.all(
      posters.flatMap((p) =>
        Array.from({ length: 6 }, (_, i) =>
          p.command('PostMessage', { channelId, messageId: randomUUID(), body: `m${i}` }),
        ),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    emma.lastPosition = answers
      .map((a) => BigInt(a.body.position))
      .reduce((a, b) => (a > b ? a : b))
      .toString();
    const { items } = (await emma.get(`/api/channels/${channelId}/messages?limit=200`)).body;
    expect(items.map((m: any) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const sidebar = (
      (await posters[0]!.get('/api/channels', { 'x-min-position': emma.lastPosition! })).body.items as any[]
    ).find((c) => c.id === channelId);
    expect(sidebar.unread).toBe(24);
  });
});
