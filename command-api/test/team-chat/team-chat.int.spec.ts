import { randomUUID } from 'node:crypto';
import { channelNameStream, directMessageChannelId } from '@chat/events';
import { ABANDONED_RESERVATION_MS, createChannel } from '../../src/team-chat/commands';
import { rebuildProjector, type ReadModels } from '@chat/projections';
import { teamChatProjector } from '@chat/projections/team-chat/index';
import { comparableRow } from '@chat/projections/audit/replay-compare';
import { sql, type Kysely } from 'kysely';
import { demoUserId } from '@chat/app';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shareWrites } from './helpers';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */

describe('Team chat through both HTTP APIs', () => {
  let t: TestSystem;
  let emma: ApiClient; // SUPER_ADMIN
  let mitch: ApiClient; // AGENT
  let jamie: ApiClient; // USER
  let morgan: ApiClient; // MANAGER

  beforeAll(async () => {
    t = await startTestSystem();
    [emma, mitch, jamie, morgan] = (await Promise.all(
      ['emma', 'mitch', 'jamie', 'morgan'].map((u) => t.login(`${u}@demo.local`)),
    )) as [ApiClient, ApiClient, ApiClient, ApiClient];
    shareWrites([emma, mitch, jamie, morgan]);
    await t.settle(); // the demo seed, written before any client
  });
  afterAll(async () => t?.close());

  const channelIn = async (client: ApiClient, id: string) =>
    ((await client.get('/api/channels')).body.items as any[]).find((c) => c.id === id);
  const messagesOf = async (client: ApiClient, channelId: string, query = '') =>
    (await client.get(`/api/channels/${channelId}/messages${query}`)).body;
  async function newChannel(
    owner: ApiClient,
    visibility: 'public' | 'private',
    name = `room-${randomUUID().slice(0, 8)}`,
  ) {
    const channelId = randomUUID();
    const answer = await owner.command('CreateChannel', { channelId, name, visibility });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return channelId;
  }
  async function post(
    client: ApiClient,
    channelId: string,
    body: string,
    extra: Record<string, unknown> = {},
  ) {
    const messageId = randomUUID();
    const answer = await client.command('PostMessage', { channelId, messageId, body, ...extra });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return messageId;
  }

  it('seeds the demo: #general and #ops public, #proj-014 private to Emma and Mitch, a DM of Emma and Jamie', async () => {
    const mine = (await emma.get('/api/channels')).body.items as any[];
    const byName = new Map(mine.map((c) => [c.name, c]));
    expect(byName.get('general')).toMatchObject({ kind: 'public', isMember: true, role: 'ADMIN' });
    expect(byName.get('ops')).toMatchObject({ kind: 'public', isMember: true });
    expect(byName.get('proj-014')).toMatchObject({ kind: 'private', memberCount: 2 });
    expect(byName.get('Jamie')).toMatchObject({ kind: 'dm', otherUserId: demoUserId('jamie') });
    const jamies = (await jamie.get('/api/channels')).body.items as any[];
    expect(jamies.map((c) => c.name)).not.toContain('proj-014');
    expect(jamies.find((c) => c.kind === 'dm').name).toBe('Emma');
    const general = byName.get('general');
    const { items } = await messagesOf(emma, general.id);
    expect(items.some((m: any) => m.editedAt && m.body.includes('Live chat queue'))).toBe(true);
    expect(
      items.some((m: any) => m.reactions.some((r: any) => r.emoji === '🎉' && r.count === 2 && r.mine)),
    ).toBe(true);
    expect(items.some((m: any) => m.quote?.snippet.startsWith('Great news'))).toBe(true);
    expect(items.map((m: any) => m.seq)).toEqual(items.map((_: unknown, i: number) => i + 1));
  });

  it('creates channels with normalized, unique names; the creator is ADMIN; a deleted channel frees its name', async () => {
    const name = `Proj ${randomUUID().slice(0, 6)} Carms Court`;
    const channelId = randomUUID();
    const created = await mitch.command('CreateChannel', {
      channelId,
      name,
      visibility: 'public',
      description: 'About the court',
    });
    expect(created.status).toBe(200);
    const channel = await channelIn(mitch, channelId);
    expect(channel).toMatchObject({
      name: name.toLowerCase().replaceAll(' ', '-'),
      role: 'ADMIN',
      memberCount: 1,
      description: 'About the court',
    });
    expect(
      (
        await mitch.command('CreateChannel', {
          channelId,
          name,
          visibility: 'public',
          description: 'About the court',
        })
      ).status,
    ).toBe(200);
    const taken = await jamie.command('CreateChannel', {
      channelId: randomUUID(),
      name: channel.name,
      visibility: 'private',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CHANNEL_NAME_TAKEN');
    expect(
      (await jamie.command('CreateChannel', { channelId: randomUUID(), name: '!!!', visibility: 'public' }))
        .status,
    ).toBe(400);
    expect(
      (
        await jamie.command('CreateChannel', {
          channelId: randomUUID(),
          name: 'x'.repeat(81),
          visibility: 'public',
        })
      ).status,
    ).toBe(400);
    expect((await jamie.command('DeleteChannel', { channelId })).status).toBe(403);
    expect((await mitch.command('DeleteChannel', { channelId })).status).toBe(200);
    expect(await channelIn(mitch, channelId)).toBeUndefined();
    expect((await mitch.get(`/api/channels/${channelId}`)).status).toBe(404);
    expect((await mitch.get(`/api/channels/${channelId}/messages`)).status).toBe(404);
    const again = await jamie.command('CreateChannel', {
      channelId: randomUUID(),
      name: channel.name,
      visibility: 'private',
    });
    expect(again.status).toBe(200);
  });

  it('a name reserved by a channel that never came to be (a crash between the appends) is free again after a minute', async () => {
    const name = `orphan-${randomUUID().slice(0, 8)}`;
    const context = (now: Date) => ({
      issuer: {
        kind: 'user' as const,
        principal: { userId: demoUserId('mitch'), role: 'AGENT' as const, sessionId: 'test' },
      },
      store: t.system.platform.store,
      services: {
        pool: t.system.platform.database.pool,
        sessions: t.system.platform.sessions,
        config: t.system.platform.config,
        logger: t.system.platform.logger,
      },
      now,
      append: {
        actor: { kind: 'user' as const, id: demoUserId('mitch') },
        correlationId: randomUUID(),
        causationId: null,
        command: 'CreateChannel',
      },
    });
    await t.system.platform.store.append(
      channelNameStream(name),
      'no_stream',
      [{ id: randomUUID(), type: 'ChannelNameReserved', data: { name, channelId: randomUUID() } }],
      context(new Date()).append,
    );
    const blocked = await mitch.command('CreateChannel', {
      channelId: randomUUID(),
      name,
      visibility: 'public',
    });
    expect(blocked.status).toBe(409);
    const later = new Date(Date.now() + ABANDONED_RESERVATION_MS + 1_000);
    const channelId = randomUUID();
    const created = await createChannel.handle(context(later), {
      channelId,
      name,
      visibility: 'public',
      description: null,
    });
    mitch.lastPosition = created.position.toString();
    expect((await mitch.get(`/api/channels/${channelId}`)).body).toMatchObject({ name, role: 'ADMIN' });
  });

  it('an org admin may delete any channel they can see; a member may not', async () => {
    const channelId = await newChannel(jamie, 'public');
    expect((await mitch.command('JoinChannel', { channelId })).status).toBe(200);
    expect((await mitch.command('DeleteChannel', { channelId })).status).toBe(403);
    expect((await emma.command('DeleteChannel', { channelId })).status).toBe(200);
    const secret = await newChannel(jamie, 'private');
    expect((await emma.command('DeleteChannel', { channelId: secret })).status).toBe(404);
  });

  it('public channels: everyone reads, members post; join, leave and member counts', async () => {
    const channelId = await newChannel(emma, 'public');
    await post(emma, channelId, 'hello public');
    expect((await jamie.get(`/api/channels/${channelId}`)).body).toMatchObject({
      isMember: false,
      role: null,
      memberCount: 1,
    });
    expect((await messagesOf(jamie, channelId)).items.map((m: any) => m.body)).toEqual(['hello public']);
    const refused = await jamie.command('PostMessage', {
      channelId,
      messageId: randomUUID(),
      body: 'me too',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NOT_A_MEMBER');
    expect((await jamie.command('JoinChannel', { channelId })).status).toBe(200);
    expect((await jamie.command('JoinChannel', { channelId })).status).toBe(200);
    expect((await jamie.get(`/api/channels/${channelId}`)).body).toMatchObject({
      isMember: true,
      role: 'MEMBER',
      memberCount: 2,
    });
    await post(jamie, channelId, 'me too');
    expect((await jamie.command('LeaveChannel', { channelId })).status).toBe(200);
    expect((await jamie.get(`/api/channels/${channelId}`)).body).toMatchObject({
      isMember: false,
      memberCount: 1,
    });
    const members = (await emma.get(`/api/channels/${channelId}/members`)).body.items;
    expect(members).toEqual([{ userId: demoUserId('emma'), name: 'Emma', role: 'ADMIN' }]);
  });

  it('private channels: only members know they exist; any member adds another user; leaving ends access at once', async () => {
    const channelId = await newChannel(mitch, 'private');
    await post(mitch, channelId, 'secret plans');
    for (const path of [
      `/api/channels/${channelId}`,
      `/api/channels/${channelId}/members`,
      `/api/channels/${channelId}/messages`,
    ])
      expect((await jamie.get(path)).status).toBe(404);
    expect(await channelIn(jamie, channelId)).toBeUndefined();
    expect((await jamie.command('JoinChannel', { channelId })).status).toBe(404);
    expect(
      (await jamie.command('PostMessage', { channelId, messageId: randomUUID(), body: 'hi' })).status,
    ).toBe(404);
    expect((await jamie.command('AddChannelMember', { channelId, userId: demoUserId('jamie') })).status).toBe(
      404,
    );
    expect((await mitch.command('AddChannelMember', { channelId, userId: demoUserId('jamie') })).status).toBe(
      200,
    );
    expect(
      (await jamie.command('AddChannelMember', { channelId, userId: demoUserId('morgan') })).status,
    ).toBe(200);
    expect((await mitch.command('AddChannelMember', { channelId, userId: randomUUID() })).status).toBe(404);
    expect((await channelIn(jamie, channelId)).memberCount).toBe(3);
    expect((await messagesOf(morgan, channelId)).items[0].body).toBe('secret plans');
    expect((await jamie.command('LeaveChannel', { channelId })).status).toBe(200);
    expect((await jamie.get(`/api/channels/${channelId}/messages`)).status).toBe(404);
    expect(await channelIn(jamie, channelId)).toBeUndefined();
  });

  it('direct messages: one per pair, named after the other person, nobody added, not leavable', async () => {
    const opened = await mitch.command('OpenDirectMessage', { userId: demoUserId('morgan') });
    expect(opened.status).toBe(200);
    expect(opened.body.channelId).toBe(directMessageChannelId(demoUserId('mitch'), demoUserId('morgan')));
    const again = await morgan.command('OpenDirectMessage', { userId: demoUserId('mitch') });
    expect(again.body.channelId).toBe(opened.body.channelId);
    const dm = opened.body.channelId;
    expect(await channelIn(mitch, dm)).toMatchObject({ kind: 'dm', name: 'Morgan', memberCount: 2 });
    expect(await channelIn(morgan, dm)).toMatchObject({ kind: 'dm', name: 'Mitch' });
    expect((await jamie.get(`/api/channels/${dm}/messages`)).status).toBe(404);
    expect((await emma.get(`/api/channels/${dm}`)).status).toBe(404);
    expect(
      (await mitch.command('AddChannelMember', { channelId: dm, userId: demoUserId('jamie') })).status,
    ).toBe(409);
    expect((await mitch.command('LeaveChannel', { channelId: dm })).status).toBe(409);
    expect((await mitch.command('OpenDirectMessage', { userId: demoUserId('mitch') })).status).toBe(400);
    expect((await mitch.command('OpenDirectMessage', { userId: randomUUID() })).status).toBe(404);
    await post(morgan, dm, 'psst');
    expect((await channelIn(mitch, dm)).unread).toBe(1);
  });

  it('edits and deletes: author only (org admins may delete), "(edited)" time, tombstones, quotes follow the quoted message', async () => {
    const channelId = await newChannel(jamie, 'public');
    await mitch.command('JoinChannel', { channelId });
    const first = await post(jamie, channelId, 'first   version\nof the text');
    const reply = await post(mitch, channelId, 'a reply', { quotedMessageId: first });
    let items = (await messagesOf(mitch, channelId)).items;
    expect(items[1].quote).toEqual({
      messageId: first,
      authorName: 'Jamie',
      snippet: 'first version of the text',
      deleted: false,
    });
    expect((await mitch.command('EditMessage', { messageId: first, body: 'hijack' })).status).toBe(403);
    expect((await jamie.command('EditMessage', { messageId: first, body: 'second version' })).status).toBe(
      200,
    );
    items = (await messagesOf(mitch, channelId)).items;
    expect(items[0]).toMatchObject({ body: 'second version', deleted: false });
    expect(items[0].editedAt).toMatch(/Z$/);
    expect(items[1].quote.snippet).toBe('second version');
    expect((await mitch.command('DeleteMessage', { messageId: first })).status).toBe(403);
    await mitch.command('ReactToMessage', { messageId: first, emoji: '👍' });
    expect((await jamie.command('DeleteMessage', { messageId: first })).status).toBe(200);
    expect((await jamie.command('DeleteMessage', { messageId: first })).status).toBe(200);
    items = (await messagesOf(mitch, channelId)).items;
    expect(items[0]).toMatchObject({
      id: first,
      seq: 1,
      deleted: true,
      body: '',
      reactions: [],
      attachments: [],
    });
    expect(items[1].quote).toMatchObject({ messageId: first, deleted: true, snippet: '' });
    expect((await jamie.command('EditMessage', { messageId: first, body: 'undead' })).status).toBe(409);
    expect((await mitch.command('ReactToMessage', { messageId: first, emoji: '👍' })).status).toBe(409);
    const quoteDeleted = await mitch.command('PostMessage', {
      channelId,
      messageId: randomUUID(),
      body: 'x',
      quotedMessageId: first,
    });
    expect(quoteDeleted.status).toBe(409);
    const elsewhere = await newChannel(mitch, 'public');
    const foreignQuote = await mitch.command('PostMessage', {
      channelId: elsewhere,
      messageId: randomUUID(),
      body: 'x',
      quotedMessageId: reply,
    });
    expect(foreignQuote.status).toBe(400);
    expect((await emma.command('DeleteMessage', { messageId: reply })).status).toBe(200);
    expect((await emma.command('EditMessage', { messageId: randomUUID(), body: 'x' })).status).toBe(404);
  });

  it('reactions: once per user and emoji, counts with mine and who, removable; only the quick set', async () => {
    const channelId = await newChannel(emma, 'public');
    await jamie.command('JoinChannel', { channelId });
    const messageId = await post(emma, channelId, 'react to me');
    for (const client of [emma, jamie, emma])
      expect((await client.command('ReactToMessage', { messageId, emoji: '❤️' })).status).toBe(200);
    await jamie.command('ReactToMessage', { messageId, emoji: '😂' });
    let [message] = (await messagesOf(jamie, channelId)).items;
    expect(message.reactions).toEqual([
      { emoji: '❤️', count: 2, mine: true, userIds: [demoUserId('emma'), demoUserId('jamie')] },
      { emoji: '😂', count: 1, mine: true, userIds: [demoUserId('jamie')] },
    ]);
    expect((await jamie.command('RemoveReaction', { messageId, emoji: '😂' })).status).toBe(200);
    expect((await jamie.command('RemoveReaction', { messageId, emoji: '😂' })).status).toBe(200);
    [message] = (await messagesOf(emma, channelId)).items;
    expect(message.reactions).toEqual([
      { emoji: '❤️', count: 2, mine: true, userIds: [demoUserId('emma'), demoUserId('jamie')] },
    ]);
    expect((await jamie.command('ReactToMessage', { messageId, emoji: '🦄' })).status).toBe(400);
    expect((await morgan.command('ReactToMessage', { messageId, emoji: '👍' })).status).toBe(403);
  });

  it("unread: others' live messages after my read mark, exact through deletes, marks and mute", async () => {
    const channelId = await newChannel(emma, 'public');
    await jamie.command('JoinChannel', { channelId });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await post(emma, channelId, `news ${i}`));
    await post(jamie, channelId, 'my own words');
    expect((await channelIn(jamie, channelId)).unread).toBe(4);
    expect((await channelIn(emma, channelId)).unread).toBe(1);
    await emma.command('DeleteMessage', { messageId: ids[3] });
    expect((await channelIn(jamie, channelId)).unread).toBe(3);
    expect((await jamie.command('MarkChannelRead', { channelId, messageId: ids[1] })).status).toBe(200);
    expect((await channelIn(jamie, channelId)).unread).toBe(1);
    await emma.command('DeleteMessage', { messageId: ids[0] });
    expect((await channelIn(jamie, channelId)).unread).toBe(1);
    expect((await jamie.command('MarkChannelRead', { channelId, messageId: ids[0] })).status).toBe(200);
    expect((await channelIn(jamie, channelId)).unread).toBe(1);
    expect((await jamie.command('MuteChannel', { channelId })).status).toBe(200);
    expect(await channelIn(jamie, channelId)).toMatchObject({ muted: true, unread: 1 });
    await post(emma, channelId, 'more news');
    expect(await channelIn(jamie, channelId)).toMatchObject({ muted: true, unread: 2 });
    expect((await jamie.command('MarkChannelRead', { channelId })).status).toBe(200);
    expect((await jamie.command('UnmuteChannel', { channelId })).status).toBe(200);
    expect(await channelIn(jamie, channelId)).toMatchObject({ muted: false, unread: 0 });
    expect((await morgan.command('MarkChannelRead', { channelId })).status).toBe(403);
    const elsewhere = await newChannel(emma, 'public');
    const foreign = await post(emma, elsewhere, 'elsewhere');
    expect((await jamie.command('MarkChannelRead', { channelId, messageId: foreign })).status).toBe(404);
  });

  it('polling: after=<cursor> answers what was created or changed since, ETag 304 when nothing changed', async () => {
    const channelId = await newChannel(emma, 'public');
    await mitch.command('JoinChannel', { channelId });
    const a = await post(emma, channelId, 'a');
    const b = await post(emma, channelId, 'b');
    const first = await emma.get(`/api/channels/${channelId}/messages`);
    expect(first.body.items.map((m: any) => m.body)).toEqual(['a', 'b']);
    const cursor = first.body.cursor;
    const poll = () => emma.get(`/api/channels/${channelId}/messages?after=${cursor}`);
    const unchanged = await poll();
    expect(unchanged.body).toEqual({ items: [], cursor });
    const etag = unchanged.headers.get('etag')!;
    expect(
      (await emma.get(`/api/channels/${channelId}/messages?after=${cursor}`, { 'if-none-match': etag }))
        .status,
    ).toBe(304);
    // Another viewer's tag differs: reactions say "mine".
    expect(
      (await mitch.get(`/api/channels/${channelId}/messages?after=${cursor}`, { 'if-none-match': etag }))
        .status,
    ).toBe(200);
    await mitch.command('ReactToMessage', { messageId: a, emoji: '👀' });
    await emma.command('EditMessage', { messageId: b, body: 'b2' });
    const c = await post(mitch, channelId, 'c');
    const changed = await emma.get(`/api/channels/${channelId}/messages?after=${cursor}`, {
      'if-none-match': etag,
    });
    expect(changed.status).toBe(200);
    expect(changed.body.items.map((m: any) => m.id)).toEqual([a, b, c]);
    expect(changed.body.items[1].body).toBe('b2');
    expect(Number(changed.body.cursor)).toBeGreaterThan(Number(cursor));
    // Limited pages of changes carry on from where they stopped.
    const page1 = await emma.get(`/api/channels/${channelId}/messages?after=${cursor}&limit=2`);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await emma.get(`/api/channels/${channelId}/messages?after=${page1.body.cursor}&limit=2`);
    expect([...page1.body.items, ...page2.body.items].map((m: any) => m.id).sort()).toEqual([a, b, c].sort());
    expect(page2.body.cursor).toBe(changed.body.cursor);
    const older = await emma.get(`/api/channels/${channelId}/messages?before=3&limit=1`);
    expect(older.body.items.map((m: any) => m.id)).toEqual([b]);
    expect((await emma.get(`/api/channels/${channelId}/messages?before=3&after=1`)).status).toBe(400);
    expect((await emma.get(`/api/channels/${channelId}/messages?limit=201`)).status).toBe(400);
  });

  it('the sidebar ETag changes with anything the viewer would see, and only then', async () => {
    const first = await jamie.get('/api/channels');
    const etag = first.headers.get('etag')!;
    expect((await jamie.get('/api/channels', { 'if-none-match': etag })).status).toBe(304);
    // A private channel Jamie is not in changes nothing for Jamie.
    const hidden = await newChannel(mitch, 'private');
    await post(mitch, hidden, 'not for Jamie');
    expect((await jamie.get('/api/channels', { 'if-none-match': etag })).status).toBe(304);
    // A new public channel does.
    await newChannel(mitch, 'public');
    expect((await jamie.get('/api/channels', { 'if-none-match': etag })).status).toBe(200);
    expect((await jamie.get('/api/channels', { 'if-none-match': etag })).headers.get('etag')).not.toBe(etag);
  });

  it('answers OpenAPI for every Team chat command and query', async () => {
    const docs = (await t.anonymous.request('GET', '/api/docs/json')).body;
    for (const name of [
      'CreateChannel',
      'PostMessage',
      'ReactToMessage',
      'MarkChannelRead',
      'OpenDirectMessage',
    ])
      expect(docs.paths[`/api/commands/${name}`].post).toBeTruthy();
    for (const path of [
      '/api/channels',
      '/api/channels/{id}',
      '/api/channels/{id}/members',
      '/api/channels/{id}/messages',
      '/api/attachments/{id}',
    ])
      expect(docs.paths[path].get, path).toBeTruthy();
    expect(docs.paths['/api/attachments'].post).toBeTruthy();
  });

  it('a read model rebuilt from the log is the same, row for row (read marks resolve where they were recorded)', async () => {
    await t.settle();
    const db = t.system.platform.database.db as Kysely<ReadModels>;
    const dump = async () => {
      const tables: Record<string, unknown[]> = {};
      for (const table of teamChatProjector.tables)
        tables[table] = (
          await sql<{ row: string }>`SELECT ${comparableRow('t')} AS row FROM ${sql.table(table)} t`.execute(
            db,
          )
        ).rows
          .map((r) => r.row)
          .sort();
      return tables;
    };
    const before = await dump();
    expect(before.tc_messages!.length).toBeGreaterThan(20);
    await rebuildProjector(
      { db, store: t.system.platform.store, logger: t.system.platform.logger },
      teamChatProjector,
    );
    expect(await dump()).toEqual(before);
  });
});
