import { randomUUID } from 'node:crypto';
import { ApiClient, startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */

/**
 * Unchanged polls are answered from memory (the caller's session, the read models' positions);
 * these are the cases where memory must not answer: the caller signed out, was deactivated or
 * demoted, or something they would see changed.
 */

const SIDEBAR = '/api/channels';

/** A GET with the tag of an earlier answer, as a poller sends it. */
const pollAgain = (
  client: ApiClient,
  path: string,
  earlier: { headers: Headers },
  headers: Record<string, string> = {},
) => client.get(path, { 'if-none-match': earlier.headers.get('etag')!, ...headers });

/**
 * Polls until an answer is 304, so that what follows starts from an answer made of everything the
 * API remembers. Other work of the system (the demo's bot, projections catching up) may change
 * an answer between two polls; the poll after that then tags the new state.
 */
async function pollUntilUnchanged(client: ApiClient, path: string) {
  let latest = await client.get(path);
  for (let attempt = 0; attempt < 20; attempt++) {
    expect(latest.status, path).toBe(200);
    const again = await pollAgain(client, path, latest);
    if (again.status === 304) return latest;
    latest = again;
  }
  throw new Error(`${path} never answered 304`);
}

async function newUser(
  admin: ApiClient,
  t: { login(email: string, password?: string): Promise<ApiClient> },
  role: string,
) {
  const userId = randomUUID();
  const email = `u-${userId}@demo.local`;
  expect(
    (await admin.command('CreateUser', { userId, email, name: `U ${role}`, role, password: 'pw-polls' }))
      .status,
  ).toBe(200);
  const client = await t.login(email, 'pw-polls');
  client.lastPosition = admin.lastPosition;
  return client;
}

describe('unchanged polls in the all-in-one server', () => {
  let t: TestSystem;
  let emma: ApiClient;

  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
  });
  afterAll(async () => t?.close());

  it('a signed-out session is refused right after a 304', async () => {
    const jamie = await t.login('jamie@demo.local');
    const sidebar = await pollUntilUnchanged(jamie, SIDEBAR);
    await jamie.request('POST', '/api/auth/logout');
    expect((await pollAgain(jamie, SIDEBAR, sidebar)).status).toBe(401);
  });

  it('a deactivated user is refused by both APIs right after a 304', async () => {
    const pat = await newUser(emma, t, 'AGENT');
    const sidebar = await pollUntilUnchanged(pat, SIDEBAR);
    const queue = await pollUntilUnchanged(pat, '/api/livechat/sessions?status=open');
    expect((await emma.command('DeactivateUser', { userId: pat.user!.id })).status).toBe(200);
    expect((await pollAgain(pat, SIDEBAR, sidebar)).status).toBe(401);
    expect((await pollAgain(pat, '/api/livechat/sessions?status=open', queue)).status).toBe(401);
    expect((await pat.command('MarkChannelRead', { channelId: randomUUID() })).status).toBe(401);
  });

  it('an agent made a plain user loses the Live chat queue right after a 304', async () => {
    const agent = await newUser(emma, t, 'AGENT');
    const kpis = await pollUntilUnchanged(agent, '/api/livechat/kpis');
    expect((await emma.command('ChangeUserRole', { userId: agent.user!.id, role: 'USER' })).status).toBe(200);
    expect((await pollAgain(agent, '/api/livechat/kpis', kpis)).status).toBe(403);
    expect((await agent.get(SIDEBAR)).status).toBe(200);
  });

  it('a new message, an unread change and leaving a private channel each answer news, never 304', async () => {
    const owner = await newUser(emma, t, 'USER');
    const reader = await newUser(emma, t, 'USER');
    const channelId = randomUUID();
    expect(
      (
        await owner.command('CreateChannel', {
          channelId,
          name: `p-${channelId.slice(0, 8)}`,
          visibility: 'private',
        })
      ).status,
    ).toBe(200);
    expect((await owner.command('AddChannelMember', { channelId, userId: reader.user!.id })).status).toBe(
      200,
    );
    reader.lastPosition = owner.lastPosition;
    const messages = `/api/channels/${channelId}/messages`;
    const cursor = (await reader.get(messages)).body.cursor;
    const poll = `${messages}?after=${cursor}`;
    const sidebar = await pollUntilUnchanged(reader, SIDEBAR);
    const conversation = await pollUntilUnchanged(reader, poll);

    // A message: the conversation and the unread count change.
    const messageId = randomUUID();
    expect((await owner.command('PostMessage', { channelId, messageId, body: 'news' })).status).toBe(200);
    const sawMessage = await pollAgain(reader, poll, conversation, { 'x-min-position': owner.lastPosition! });
    expect(sawMessage.status).toBe(200);
    expect(sawMessage.body.items.map((m: any) => m.id)).toEqual([messageId]);
    const unread = await pollAgain(reader, SIDEBAR, sidebar, { 'x-min-position': owner.lastPosition! });
    expect(unread.status).toBe(200);
    expect(unread.body.items.find((c: any) => c.id === channelId)).toMatchObject({ unread: 1 });
    expect((await pollAgain(reader, SIDEBAR, unread)).status).toBe(304);

    // Reading it: the unread count changes back.
    expect((await reader.command('MarkChannelRead', { channelId })).status).toBe(200);
    const read = await pollAgain(reader, SIDEBAR, unread);
    expect(read.status).toBe(200);
    expect(read.body.items.find((c: any) => c.id === channelId)).toMatchObject({ unread: 0 });
    const caughtUp = await reader.get(poll);
    expect((await pollAgain(reader, poll, caughtUp)).status).toBe(304);

    // Leaving: the channel leaves the sidebar, and its messages are not found any more.
    expect((await reader.command('LeaveChannel', { channelId })).status).toBe(200);
    const left = await pollAgain(reader, SIDEBAR, read);
    expect(left.status).toBe(200);
    expect(left.body.items.some((c: any) => c.id === channelId)).toBe(false);
    expect((await pollAgain(reader, poll, caughtUp)).status).toBe(404);
  });

  it("the portal's poll answers the sidebar and the conversation as their own endpoints do, and news of either", async () => {
    const owner = await newUser(emma, t, 'USER');
    const reader = await newUser(emma, t, 'USER');
    const [channelId, otherId] = [randomUUID(), randomUUID()];
    for (const id of [channelId, otherId]) {
      const name = `p-${id.slice(0, 8)}`;
      expect(
        (await owner.command('CreateChannel', { channelId: id, name, visibility: 'private' })).status,
      ).toBe(200);
      expect(
        (await owner.command('AddChannelMember', { channelId: id, userId: reader.user!.id })).status,
      ).toBe(200);
    }
    expect(
      (await owner.command('PostMessage', { channelId, messageId: randomUUID(), body: 'first' })).status,
    ).toBe(200);
    reader.lastPosition = owner.lastPosition;

    const newest = await reader.get(`/api/team-chat/poll?channelId=${channelId}&limit=10`);
    expect(newest.status).toBe(200);
    const [sidebar, messages] = [
      await reader.get(SIDEBAR),
      await reader.get(`/api/channels/${channelId}/messages?limit=10`),
    ];
    expect(newest.body).toEqual({
      channels: sidebar.body.items,
      conversation: { channelId, ...messages.body },
    });

    const poll = `/api/team-chat/poll?channelId=${channelId}&after=${newest.body.conversation.cursor}`;
    const quiet = await pollUntilUnchanged(reader, poll);
    expect(quiet.body.conversation.items).toEqual([]);

    // News in the open conversation: its message, and the sidebar with it.
    const messageId = randomUUID();
    expect((await owner.command('PostMessage', { channelId, messageId, body: 'news' })).status).toBe(200);
    const news = await pollAgain(reader, poll, quiet, { 'x-min-position': owner.lastPosition! });
    expect(news.status).toBe(200);
    expect(news.body.conversation.items.map((m: any) => m.id)).toEqual([messageId]);
    expect(news.body.channels.find((c: any) => c.id === channelId)).toMatchObject({ unread: 2 });

    // News elsewhere only: the sidebar's unread count changes, the conversation has nothing new.
    const later = `/api/team-chat/poll?channelId=${channelId}&after=${news.body.conversation.cursor}`;
    const settled = await pollUntilUnchanged(reader, later);
    expect(
      (await owner.command('PostMessage', { channelId: otherId, messageId: randomUUID(), body: 'elsewhere' }))
        .status,
    ).toBe(200);
    const elsewhere = await pollAgain(reader, later, settled, { 'x-min-position': owner.lastPosition! });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.conversation.items).toEqual([]);
    expect(elsewhere.body.channels.find((c: any) => c.id === otherId)).toMatchObject({ unread: 1 });

    // Out of the private channel, the whole poll is not found, like the channel's messages.
    expect((await reader.command('LeaveChannel', { channelId })).status).toBe(200);
    expect((await pollAgain(reader, later, elsewhere)).status).toBe(404);
    expect((await reader.get('/api/team-chat/poll')).body.channels.some((c: any) => c.id === channelId)).toBe(
      false,
    );
  });

  it("the portal's poll refuses paging without a conversation, and a malformed one", async () => {
    for (const query of [
      'after=5',
      'limit=10',
      'channelId=nope',
      `channelId=${randomUUID()}&after=x`,
      'extra=1',
    ]) {
      const answer = await emma.get(`/api/team-chat/poll?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code, query).toBeTruthy();
    }
  });

  it("another user's tag gets that user's answer, not a 304", async () => {
    const one = await newUser(emma, t, 'USER');
    const other = await newUser(emma, t, 'USER');
    const sidebar = await pollUntilUnchanged(one, SIDEBAR);
    const answer = await pollAgain(other, SIDEBAR, sidebar);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).not.toBe(sidebar.headers.get('etag'));
  });
});

/** The services topology: commands and projections in one process, queries in another, one database. */
describe.skipIf(!onRealPostgres())('unchanged polls in a query API of its own', () => {
  let commands: TestSystem;
  let queries: TestSystem;
  let emma: ApiClient;

  /** Signs in through the command API; answers a client of each API with that session. */
  const signIn = async (email: string, password?: string) => {
    const client = await commands.login(email, password);
    return { writer: client, reader: new ApiClient(queries.url, client.token, client.user) };
  };

  beforeAll(async () => {
    commands = await startTestSystem({ parts: { commands: true, queries: false, projections: true } });
    const { DATABASE_URL, DATA_KEY_SECRET } = commands.system.platform.config;
    queries = await startTestSystem({
      databaseUrl: DATABASE_URL!,
      seed: false,
      env: { DATA_KEY_SECRET: DATA_KEY_SECRET! },
      parts: { commands: false, queries: true, projections: false },
    });
    emma = await commands.login('emma@demo.local');
    await commands.settle();
  });
  afterAll(async () => {
    await queries?.close();
    await commands?.close();
  });

  it('a sign-out in the command API is in force in the query API when it answers', async () => {
    const { writer, reader } = await signIn('jamie@demo.local');
    const sidebar = await pollUntilUnchanged(reader, SIDEBAR);
    await writer.request('POST', '/api/auth/logout');
    expect((await pollAgain(reader, SIDEBAR, sidebar)).status).toBe(401);
  });

  it('a deactivation in the command API is in force in the query API when it answers', async () => {
    const created = await newUser(emma, commands, 'AGENT');
    const reader = new ApiClient(queries.url, created.token, created.user);
    const kpis = await pollUntilUnchanged(reader, '/api/livechat/kpis');
    expect((await emma.command('DeactivateUser', { userId: created.user!.id })).status).toBe(200);
    expect((await pollAgain(reader, '/api/livechat/kpis', kpis)).status).toBe(401);
  });

  it('hears of messages written through the other process, with and without X-Min-Position', async () => {
    const { writer, reader } = await signIn('mitch@demo.local');
    const channelId = randomUUID();
    expect(
      (
        await writer.command('CreateChannel', {
          channelId,
          name: `q-${channelId.slice(0, 8)}`,
          visibility: 'public',
        })
      ).status,
    ).toBe(200);
    reader.lastPosition = writer.lastPosition;
    const messages = `/api/channels/${channelId}/messages`;
    const cursor = (await reader.get(messages)).body.cursor;
    const unchanged = await pollUntilUnchanged(reader, `${messages}?after=${cursor}`);

    expect(
      (await writer.command('PostMessage', { channelId, messageId: randomUUID(), body: 'one' })).status,
    ).toBe(200);
    const waited = await pollAgain(reader, `${messages}?after=${cursor}`, unchanged, {
      'x-min-position': writer.lastPosition!,
    });
    expect(waited.status).toBe(200);
    expect(waited.body.items).toHaveLength(1);

    // A poller that knows no position sees the next message too, as soon as it is projected.
    const poller = new ApiClient(queries.url, reader.token);
    const after = `${messages}?after=${waited.body.cursor}`;
    const quiet = await pollUntilUnchanged(poller, after);
    const messageId = randomUUID();
    expect((await writer.command('PostMessage', { channelId, messageId, body: 'two' })).status).toBe(200);
    let answer = await pollAgain(poller, after, quiet);
    while (answer.status === 304) answer = await pollAgain(poller, after, quiet);
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((m: any) => m.id)).toEqual([messageId]);
  });
});
