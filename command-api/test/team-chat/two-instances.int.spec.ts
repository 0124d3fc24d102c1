import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { channelStream, messageStream, verifyChain } from '@chat/events';
import { createLogger, loadConfig, openPlatform, type Platform } from '@chat/platform';
import { createScratchDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandBus, type CommandBus } from '../../src/index';

/**
 * Two command-api instances on one database, as behind a load balancer. Each keeps the channels it
 * folded and posts without reading them again; what the other instance changed meanwhile must
 * still decide every post: a member who left is refused, one who joined is let in, and a post is
 * either appended once or refused with nothing left behind.
 */
describe.skipIf(!onRealPostgres())('Team chat on two instances sharing one database', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const platforms: Platform[] = [];
  let here: CommandBus;
  let there: CommandBus;

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'two-instances-'));
    const secret = randomBytes(32).toString('hex');
    for (let i = 0; i < 2; i++) {
      const config = loadConfig({
        DATABASE_URL: scratch.url,
        EVENT_STORE: 'postgres',
        DATA_KEY_SECRET: secret,
        DATA_DIR: dataDir,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'silent',
      });
      platforms.push(await openPlatform(config, createLogger('silent')));
    }
    here = createCommandBus(platforms[0]!);
    there = createCommandBus(platforms[1]!);
  });
  afterAll(async () => {
    for (const platform of platforms) await platform.close();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const user = () => ({ userId: randomUUID(), role: 'USER' as const, sessionId: 'test' });
  type User = ReturnType<typeof user>;
  const as = (principal: User) => ({ kind: 'user' as const, principal });
  /** Runs a command; answers its result or the error's status and code. */
  async function run(bus: CommandBus, by: User, name: string, body: Record<string, unknown>) {
    try {
      return { status: 200, ...(await bus.execute({ name, issuer: as(by), body })) };
    } catch (error) {
      const { status, code } = error as { status?: number; code?: string };
      if (!status) throw error;
      return { status, code };
    }
  }
  /** A membership change, tried again after a 409 as a client would: the members all change one stream. */
  async function change(bus: CommandBus, by: User, name: 'JoinChannel' | 'LeaveChannel', channelId: string) {
    for (;;) {
      const answer = await run(bus, by, name, { channelId });
      if (answer.status !== 409) return answer;
      expect(answer).toMatchObject({ code: 'CONCURRENT_UPDATE' });
    }
  }
  const post = (bus: CommandBus, by: User, channelId: string, messageId = randomUUID()) =>
    run(bus, by, 'PostMessage', { channelId, messageId, body: `from ${by.userId}` });
  const messageEvents = async (messageId: string) =>
    (await platforms[1]!.store.readStream(messageStream(messageId))).map((e) => e.type);

  async function channelWith(owner: User, members: User[]): Promise<string> {
    const channelId = randomUUID();
    const created = await run(here, owner, 'CreateChannel', {
      channelId,
      name: `two-${channelId.slice(0, 8)}`,
      visibility: 'public',
    });
    expect(created.status).toBe(200);
    for (const member of members)
      expect((await run(here, member, 'JoinChannel', { channelId })).status).toBe(200);
    return channelId;
  }

  it('a member who left through the other instance is refused here, and nothing is appended', async () => {
    const owner = user();
    const leaver = user();
    const channelId = await channelWith(owner, [leaver]);
    expect((await post(here, leaver, channelId)).status).toBe(200); // here keeps the channel now
    expect((await run(there, leaver, 'LeaveChannel', { channelId })).status).toBe(200);
    const messageId = randomUUID();
    expect(await post(here, leaver, channelId, messageId)).toMatchObject({
      status: 403,
      code: 'NOT_A_MEMBER',
    });
    expect(await messageEvents(messageId)).toEqual([]);
  });

  it('a user who joined through the other instance posts here at once', async () => {
    const owner = user();
    const joiner = user();
    const channelId = await channelWith(owner, []);
    expect((await post(here, owner, channelId)).status).toBe(200);
    expect((await run(there, joiner, 'JoinChannel', { channelId })).status).toBe(200);
    const messageId = randomUUID();
    expect((await post(here, joiner, channelId, messageId)).status).toBe(200);
    expect(await messageEvents(messageId)).toEqual(['MessagePosted']);
  });

  it('a channel deleted through the other instance answers 404 here', async () => {
    const owner = user();
    const channelId = await channelWith(owner, []);
    expect((await post(here, owner, channelId)).status).toBe(200);
    expect((await run(there, owner, 'DeleteChannel', { channelId })).status).toBe(200);
    const messageId = randomUUID();
    expect((await post(here, owner, channelId, messageId)).status).toBe(404);
    expect(await messageEvents(messageId)).toEqual([]);
  });

  it('a retried post answers its first position through either instance, also after the channel changed', async () => {
    const owner = user();
    const channelId = await channelWith(owner, []);
    const messageId = randomUUID();
    const first = await post(here, owner, channelId, messageId);
    expect(first.status).toBe(200);
    expect(await post(there, owner, channelId, messageId)).toEqual(first);
    expect((await run(there, user(), 'JoinChannel', { channelId })).status).toBe(200);
    expect(await post(here, owner, channelId, messageId)).toEqual(first);
    expect(await messageEvents(messageId)).toEqual(['MessagePosted']);
  });

  it('members come and go through either instance while others post: every post appended once or refused', async () => {
    const owner = user();
    const members = Array.from({ length: 6 }, user);
    const channelId = await channelWith(owner, members);
    const posted: string[] = [];
    const refused: string[] = [];
    const postAs = async (bus: CommandBus, member: User, expected: number) => {
      const messageId = randomUUID();
      const answer = await post(bus, member, channelId, messageId);
      expect(answer.status).toBe(expected);
      (answer.status === 200 ? posted : refused).push(messageId);
    };
    await Promise.all([
      ...members.map(async (member, i) => {
        // even members post here and change membership there, odd ones the other way round
        const [posting, changing] = i % 2 === 0 ? [here, there] : [there, here];
        for (let round = 0; round < 4; round++) {
          await postAs(posting, member, 200);
          expect((await change(changing, member, 'LeaveChannel', channelId)).status).toBe(200);
          await postAs(posting, member, 403);
          const joining = round % 2 === 0 ? posting : changing;
          expect((await change(joining, member, 'JoinChannel', channelId)).status).toBe(200);
          await postAs(posting, member, 200);
        }
      }),
      (async () => {
        for (let i = 0; i < 20; i++) await postAs(i % 2 === 0 ? here : there, owner, 200);
      })(),
    ]);
    for (const messageId of posted) expect(await messageEvents(messageId)).toEqual(['MessagePosted']);
    for (const messageId of refused) expect(await messageEvents(messageId)).toEqual([]);
    expect(posted).toHaveLength(6 * 4 * 2 + 20);
    const channel = await platforms[0]!.store.readStoredStream(channelStream(channelId));
    expect(channel.map((e) => e.revision)).toEqual(channel.map((_, i) => BigInt(i)));
    expect(verifyChain(channel)).toBeNull();
  });
});
