/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */
import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { demoUserId } from '@chat/app/seed/demo';
import { demoSessionId } from '@chat/app/seed/live-chat';
import { demoChannelId } from '@chat/app/seed/team-chat';
import { chainHash, GENESIS_HASH } from '@chat/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let t: TestSystem;
let ada: ApiClient; // AUDITOR
let emma: ApiClient; // SUPER_ADMIN
let others: Record<string, ApiClient>;
const general = demoChannelId('general');
const project = demoChannelId('proj-014');
const jane = demoSessionId('jane');

beforeAll(async () => {
  t = await startTestSystem();
  await t.settle();
  [ada, emma] = await Promise.all([t.login('ada@demo.local'), t.login('emma@demo.local')]);
  others = {
    USER: await t.login('jamie@demo.local'),
    AGENT: await t.login('mitch@demo.local'),
    MANAGER: await t.login('morgan@demo.local'),
  };
});
afterAll(() => t?.close());

const endpoints = () => [
  '/api/audit/events',
  `/api/audit/events?stream=channel-*&order=asc&limit=5`,
  `/api/audit/streams/channel-${general}`,
  '/api/audit/export?type=ChannelCreated',
  `/api/audit/channels/${general}/as-of`,
  `/api/audit/sessions/${jane}/as-of`,
  `/api/audit/actors/${demoUserId('mitch')}/commands`,
  `/api/audit/verify?stream=channel-${general}`,
  '/api/audit/verify',
];

describe('who may read the audit trail', () => {
  it('AUDITOR and SUPER_ADMIN read every audit endpoint', async () => {
    for (const path of endpoints()) {
      expect((await ada.get(path)).status, path).toBe(200);
      expect((await emma.get(path)).status, path).toBe(200);
    }
  });

  it('USER, AGENT and MANAGER get 403, anonymous 401, before any validation', async () => {
    for (const path of [...endpoints(), '/api/audit/events?limit=nonsense']) {
      for (const [role, client] of Object.entries(others)) {
        const answer = await client.get(path);
        expect(answer.status, `${role} ${path}`).toBe(403);
        expect(answer.body.error.code).toBe('FORBIDDEN');
      }
      expect((await t.anonymous.get(path)).status, path).toBe(401);
    }
  });

  it('an AUDITOR cannot issue chat commands', async () => {
    const refused = [
      ['CreateChannel', { channelId: randomUUID(), name: 'auditors-corner', visibility: 'public' }],
      ['JoinChannel', { channelId: general }],
      ['PostMessage', { channelId: general, messageId: randomUUID(), body: 'hello' }],
      ['ReactToMessage', { messageId: randomUUID(), emoji: '👍' }],
      ['OpenDirectMessage', { userId: demoUserId('emma') }],
      ['MarkChannelRead', { channelId: general }],
      ['JoinSession', { sessionId: jane }],
      ['PostAgentMessage', { sessionId: jane, messageId: randomUUID(), body: 'hi' }],
      ['CreateTicket', { ticketId: randomUUID(), subject: 'x' }],
      ['ErasePersonalData', { userId: demoUserId('jamie') }],
    ] as const;
    for (const [name, body] of refused) expect((await ada.command(name, body)).status, name).toBe(403);
    // Nor the internal checkpoint command, which is not even a route.
    expect((await emma.command('RecordChainCheckpoint', { checkpointId: randomUUID() })).status).toBe(404);
  });
});

describe('the event browser', () => {
  it('pages the log newest first, and oldest first, with a cursor', async () => {
    const newest = await ada.get('/api/audit/events?limit=3&excludeType=AuditQueryPerformed');
    expect(newest.body.items).toHaveLength(3);
    const positions = newest.body.items.map((e: any) => BigInt(e.position));
    expect(positions[0] > positions[1] && positions[1] > positions[2]).toBe(true);
    const all: any[] = [];
    for (let cursor = ''; ;) {
      const page = await ada.get(
        `/api/audit/events?order=asc&limit=50&stream=channel-*${cursor ? `&after=${cursor}` : ''}`,
      );
      all.push(...page.body.items);
      if (!page.body.cursor) break;
      cursor = page.body.cursor;
    }
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(all.every((e) => e.streamId.startsWith('channel-'))).toBe(true);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    const item = all[0];
    expect(Object.keys(item).sort()).toEqual([
      'data',
      'id',
      'metadata',
      'position',
      'recordedAt',
      'revision',
      'streamId',
      'type',
      'version',
    ]);
    expect(item.metadata).toMatchObject({
      actor: { kind: 'user' },
      command: 'CreateChannel',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('filters by type, actor, correlation id, channel and time', async () => {
    const edits = await ada.get('/api/audit/events?type=MessageEdited');
    expect(edits.body.items.length).toBeGreaterThanOrEqual(1);
    expect(edits.body.items.every((e: any) => e.type === 'MessageEdited')).toBe(true);

    const mitch = await ada.get(`/api/audit/events?actor=${demoUserId('mitch')}&limit=500`);
    expect(mitch.body.items.length).toBeGreaterThan(3);
    expect(mitch.body.items.every((e: any) => e.metadata.actor.id === demoUserId('mitch'))).toBe(true);

    const one = mitch.body.items[0];
    const same = await ada.get(`/api/audit/events?correlationId=${one.metadata.correlationId}`);
    expect(same.body.items.map((e: any) => e.id)).toContain(one.id);

    const channel = await ada.get(`/api/audit/events?channelId=${project}&order=asc&limit=500`);
    expect(channel.body.items.map((e: any) => e.type)).toContain('ChannelCreated');
    expect(channel.body.items.some((e: any) => e.type === 'MessagePosted')).toBe(true);

    const at = one.recordedAt;
    const before = await ada.get(`/api/audit/events?to=${encodeURIComponent(at)}&limit=500&order=asc`);
    expect(before.body.items.every((e: any) => e.recordedAt < at)).toBe(true);
    const after = await ada.get(`/api/audit/events?from=${encodeURIComponent(at)}&limit=500&order=asc`);
    expect(after.body.items.every((e: any) => e.recordedAt >= at)).toBe(true);
    expect((await ada.get('/api/audit/events?from=2026-02-01&to=2026-01-01')).status).toBe(400);
    expect((await ada.get('/api/audit/events?limit=0')).status).toBe(400);
  });

  it('shows personal data decrypted, private channels included', async () => {
    const posted = await ada.get(`/api/audit/events?channelId=${project}&type=MessagePosted&order=asc`);
    expect(posted.body.items.map((e: any) => e.data.body)).toContain(
      'Kick-off notes for Carms Court are in the shared drive.',
    );
    const users = await ada.get('/api/audit/events?type=UserCreated&order=asc');
    expect(users.body.items.map((e: any) => e.data.email)).toContain('jamie@demo.local');
  });

  it("gives one stream's whole history in revision order", async () => {
    const stream = await ada.get(`/api/audit/streams/channel-${general}`);
    expect(stream.body.items.map((e: any) => e.revision)).toEqual(
      stream.body.items.map((_: unknown, i: number) => String(i)),
    );
    expect(stream.body.items[0].type).toBe('ChannelCreated');
    expect((await ada.get('/api/audit/streams/no-such-stream')).body.items).toEqual([]);
  });
});

describe('the NDJSON export', () => {
  it('streams the filtered range, one event per line', async () => {
    const answer = await fetch(`${t.url}/api/audit/export?stream=message-*`, {
      headers: { authorization: `Bearer ${ada.token}` },
    });
    expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
    expect(answer.headers.get('content-disposition')).toContain('attachment');
    const lines = (await answer.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const browsed = await ada.get('/api/audit/events?stream=message-*&order=asc&limit=500');
    expect(lines.map((e) => e.id)).toEqual(browsed.body.items.map((e: any) => e.id));
  });

  it('in stored form, it carries what is needed to verify the chains elsewhere, and no plain personal data', async () => {
    const answer = await fetch(`${t.url}/api/audit/export?form=stored`, {
      headers: { authorization: `Bearer ${ada.token}` },
    });
    const text = await answer.text();
    expect(text).not.toContain('jamie@demo.local');
    expect(text).not.toContain('Kick-off notes');
    const heads = new Map<string, string>();
    let checked = 0;
    for (const line of text.trimEnd().split('\n')) {
      const e = JSON.parse(line);
      const previous = heads.get(e.streamId) ?? GENESIS_HASH;
      expect(chainHash(previous, e)).toBe(e.metadata.hash);
      heads.set(e.streamId, e.metadata.hash);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('as-of views', () => {
  it('a channel as it read before and after an edit', async () => {
    const edit = (await ada.get(`/api/audit/events?channelId=${general}&type=MessageEdited`)).body.items[0];
    const before = await ada.get(
      `/api/audit/channels/${general}/as-of?position=${BigInt(edit.position) - 1n}`,
    );
    const now = await ada.get(`/api/audit/channels/${general}/as-of`);
    const id = edit.data.messageId;
    expect(before.body.messages.find((m: any) => m.id === id)).toMatchObject({
      body: 'Morning all, the new support queue goes live today.',
      editedAt: null,
    });
    expect(now.body.messages.find((m: any) => m.id === id)).toMatchObject({
      body: 'Morning all, the new Live chat queue goes live today.',
      author: { id: demoUserId('mitch'), name: 'Mitch' },
      editedAt: edit.recordedAt,
    });
    expect(now.body.channel).toMatchObject({ status: 'active', kind: 'public', name: 'general' });
    expect(now.body.channel.members.map((m: any) => m.name).sort()).toEqual([
      'Emma',
      'Jamie',
      'Mitch',
      'Morgan',
    ]);
    expect(BigInt(before.body.reflects) < BigInt(edit.position)).toBe(true);
    expect(now.body.timeline.length).toBeGreaterThan(now.body.messages.length);
  });

  it('by time, and before the channel existed', async () => {
    const created = (await ada.get(`/api/audit/streams/channel-${general}`)).body.items[0];
    const early = await ada.get(
      `/api/audit/channels/${general}/as-of?time=${encodeURIComponent(new Date(Date.parse(created.recordedAt) - 1).toISOString())}`,
    );
    expect(early.body).toMatchObject({
      reflects: null,
      channel: { status: 'absent', members: [] },
      messages: [],
    });
    const atCreation = await ada.get(
      `/api/audit/channels/${general}/as-of?time=${encodeURIComponent(created.recordedAt)}`,
    );
    expect(atCreation.body.channel.members).toEqual([
      { id: demoUserId('emma'), name: 'Emma', role: 'ADMIN' },
    ]);
  });

  it('a private channel, a Live chat session, and what does not exist', async () => {
    expect((await ada.get(`/api/audit/channels/${project}/as-of`)).body.channel).toMatchObject({
      kind: 'private',
      name: 'proj-014',
    });
    const session = await ada.get(`/api/audit/sessions/${jane}/as-of`);
    expect(session.body.session).toMatchObject({
      status: 'WAITING',
      visitorName: 'Jane (visitor)',
      visitorEmail: 'jane@example.com',
    });
    expect(session.body.session.messages[0]).toMatchObject({
      from: 'visitor',
      body: 'Hi! I cannot sign in to my account any more.',
    });
    const first = session.body.timeline[0];
    const started = await ada.get(`/api/audit/sessions/${jane}/as-of?position=${first.position}`);
    expect(started.body.session.messages).toEqual([]);
    expect((await ada.get(`/api/audit/channels/${randomUUID()}/as-of`)).status).toBe(404);
    expect((await ada.get(`/api/audit/sessions/${randomUUID()}/as-of`)).status).toBe(404);
    expect((await ada.get(`/api/audit/channels/${general}/as-of?position=1&time=2026-01-01`)).status).toBe(
      400,
    );
  });
});

describe('who did what', () => {
  it("lists a user's commands, newest first, each with its events", async () => {
    const answer = await ada.get(`/api/audit/actors/${demoUserId('mitch')}/commands?limit=100`);
    expect(answer.body.actor).toEqual({ id: demoUserId('mitch'), name: 'Mitch' });
    const commands = answer.body.items.map((i: any) => i.command);
    expect(commands).toEqual(
      expect.arrayContaining(['PostMessage', 'EditMessage', 'JoinChannel', 'JoinSession', 'CloseSession']),
    );
    const positions = answer.body.items.map((i: any) => BigInt(i.position));
    expect(positions.every((p: bigint, i: number) => i === 0 || p < positions[i - 1])).toBe(true);
    const link = answer.body.items.find((i: any) => i.command === 'LinkSessionToTicket');
    expect(link.events.map((e: any) => e.type).sort()).toEqual(['SessionLinkedToTicket', 'TicketCreated']);
  });

  it('links a command to what it caused: the bot answering a visitor', async () => {
    const answer = await ada.get(`/api/audit/actors/${jane}/commands`);
    const asked = answer.body.items.filter((i: any) => i.command === 'PostVisitorMessage');
    expect(asked.length).toBe(3);
    const answered = asked.filter((i: any) =>
      i.events.some((e: any) => e.type === 'ArticlesSuggested' && !e.byActor),
    );
    expect(answered.length).toBeGreaterThanOrEqual(1);
    const bot = answered[0].events.find((e: any) => e.type === 'ArticlesSuggested');
    expect(bot.metadata.actor).toEqual({ kind: 'system', id: 'kb-bot' });
    expect(bot.metadata.causationId).toBe(answered[0].events.find((e: any) => e.byActor).id);
  });

  it('pages with a cursor', async () => {
    const first = await ada.get(`/api/audit/actors/${demoUserId('emma')}/commands?limit=3`);
    expect(first.body.items).toHaveLength(3);
    const next = await ada.get(
      `/api/audit/actors/${demoUserId('emma')}/commands?limit=3&before=${first.body.cursor}`,
    );
    expect(next.body.items[0].correlationId).not.toBe(first.body.items[2].correlationId);
    expect(BigInt(next.body.items[0].position) < BigInt(first.body.items[2].position)).toBe(true);
  });
});

describe('verification', () => {
  it('an untouched history verifies, as a whole and stream by stream', async () => {
    const all = await ada.get('/api/audit/verify');
    expect(all.body).toMatchObject({ scope: 'log', ok: true, firstBreak: null, brokenStreams: 0 });
    expect(all.body.events).toBeGreaterThan(50);
    const one = await ada.get(`/api/audit/verify?stream=channel-${general}`);
    expect(one.body).toMatchObject({
      scope: 'stream',
      ok: true,
      streamId: `channel-${general}`,
      firstBreak: null,
    });
  });
});

describe('the audit of the audit', () => {
  it("records every read in the auditor's own stream, visible in the browser", async () => {
    const marker = randomUUID();
    await ada.get(`/api/audit/events?correlationId=${marker}`);
    await others.USER!.get(`/api/audit/events?correlationId=${marker}`); // refused: not a read, not recorded
    // the log is read below the server-wide snapshot horizon: a moment may pass before it shows
    const findRecorded = async () =>
      (await ada.get(`/api/audit/events?type=AuditQueryPerformed&actor=${demoUserId('ada')}&limit=50`)).body.items.find(
        (e: any) => e.data.filter.correlationId === marker,
      );
    await expect.poll(findRecorded, { timeout: 10_000 }).toBeTruthy();
    const recorded = await findRecorded();
    expect(recorded).toMatchObject({
      streamId: `audit-${demoUserId('ada')}`,
      data: {
        auditorId: demoUserId('ada'),
        endpoint: 'GET /api/audit/events',
        filter: { correlationId: marker },
      },
      metadata: { actor: { kind: 'user', id: demoUserId('ada') }, command: 'AuditQuery' },
    });
    const all = await emma.get(`/api/audit/events?type=AuditQueryPerformed&limit=500`);
    expect(all.body.items.filter((e: any) => e.data.filter.correlationId === marker)).toHaveLength(1);
    const stream = await emma.get(`/api/audit/streams/audit-${demoUserId('ada')}`);
    expect(stream.body.items.length).toBeGreaterThan(20);
    expect(
      stream.body.items.some((e: any) => e.data.endpoint === 'GET /api/audit/channels/:channelId/as-of'),
    ).toBe(true);
  });
});
