import { randomUUID } from 'node:crypto';
import type { Role } from '@chat/events';
import { ApiClient, startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every Team chat endpoint, walked by every role in every membership state, against the answer
 * the rules promise. Private channels and everything in them answer 404 to whoever is not in
 * them (never 403); deleted channels answer 404 to everyone; deactivated users get 401.
 */

type Kind = 'public' | 'private';
type State = 'channel admin' | 'member' | 'non-member' | 'left' | 'deactivated' | 'channel deleted';
const ROLES: Role[] = ['USER', 'AGENT', 'MANAGER', 'ADMIN', 'SUPER_ADMIN', 'AUDITOR'];
const STATES: State[] = ['channel admin', 'member', 'non-member', 'left', 'deactivated', 'channel deleted'];
const ENDPOINTS = [
  'GET /api/channels (listed)',
  'GET /api/channels/{id}',
  'GET /api/channels/{id}/members',
  'GET /api/channels/{id}/messages',
  'GET /api/team-chat/poll?channelId={id}',
  'GET /api/attachments/{id}',
  'MarkChannelRead',
  'MuteChannel',
  'UnmuteChannel',
  'ReactToMessage',
  'RemoveReaction',
  'EditMessage (of another)',
  'PostMessage',
  'AddChannelMember',
  'DeleteMessage (of another)',
  'JoinChannel',
  'LeaveChannel',
  'DeleteChannel',
] as const;
type Endpoint = (typeof ENDPOINTS)[number];

/** What the rules promise. */
function expected(kind: Kind, state: State, role: Role): Record<Endpoint, number> {
  if (state === 'deactivated')
    return Object.fromEntries(ENDPOINTS.map((e) => [e, 401])) as Record<Endpoint, number>;
  const member = state === 'channel admin' || state === 'member';
  const visible = state !== 'channel deleted' && (kind === 'public' || member);
  const orgAdmin = role === 'ADMIN' || role === 'SUPER_ADMIN';
  const hidden = 404;
  const ifVisible = (status: number) => (visible ? status : hidden);
  const members = (status: number) => ifVisible(member ? status : 403);
  const reads = {
    'GET /api/channels (listed)': visible ? 200 : hidden,
    'GET /api/channels/{id}': ifVisible(200),
    'GET /api/channels/{id}/members': ifVisible(200),
    'GET /api/channels/{id}/messages': ifVisible(200),
    'GET /api/team-chat/poll?channelId={id}': ifVisible(200),
    'GET /api/attachments/{id}': ifVisible(200),
  };
  // Auditors read what any user may read, and never add to the history.
  if (role === 'AUDITOR')
    return { ...(Object.fromEntries(ENDPOINTS.map((e) => [e, 403])) as Record<Endpoint, number>), ...reads };
  return {
    ...reads,
    MarkChannelRead: members(200),
    MuteChannel: members(200),
    UnmuteChannel: members(200),
    ReactToMessage: members(200),
    RemoveReaction: ifVisible(200),
    'EditMessage (of another)': ifVisible(403),
    PostMessage: members(200),
    AddChannelMember: members(200),
    'DeleteMessage (of another)': ifVisible(orgAdmin ? 200 : 403),
    JoinChannel: ifVisible(200),
    LeaveChannel: ifVisible(200),
    DeleteChannel: ifVisible(state === 'channel admin' || orgAdmin ? 200 : 403),
  };
}

describe('Team chat authorization matrix', () => {
  let t: TestSystem;
  let emma: ApiClient;
  const clients: ApiClient[] = [];

  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
    clients.push(emma);
  });
  afterAll(async () => t?.close());

  /** Reads of any client wait for the newest write of all of them. */
  let newest = 0n;
  function track(client: ApiClient): ApiClient {
    const command = client.command.bind(client);
    client.command = async (name, body) => {
      const answer = await command(name, body);
      if (client.lastPosition && BigInt(client.lastPosition) > newest) newest = BigInt(client.lastPosition);
      return answer;
    };
    const get = client.get.bind(client);
    // A stale answer (the read models had not caught up within the wait) is asked again.
    client.get = async (path, headers = {}) => {
      for (let attempt = 0; ; attempt++) {
        const answer = await get(path, { 'x-min-position': newest.toString(), ...headers });
        if (answer.headers.get('x-stale') !== 'true' || attempt >= 15) return answer;
      }
    };
    return client;
  }

  async function newUser(role: Role, name = `${role} ${randomUUID().slice(0, 4)}`): Promise<ApiClient> {
    const userId = randomUUID();
    const created = await emma.command('CreateUser', {
      userId,
      email: `${userId}@matrix.local`,
      name,
      role,
      password: 'matrix-pw',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { token } = await t.system.platform.sessions.create(userId, role);
    return track(new ApiClient(t.url, token, { id: userId, email: '', name, role }));
  }

  async function upload(client: ApiClient): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob(['matrix file'], { type: 'text/plain' }), 'matrix.txt');
    const response = await fetch(`${t.url}/api/attachments`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${client.token}` },
    });
    return ((await response.json()) as { id: string }).id;
  }

  /** Two channels in the given state for the viewer (the second only to be deleted), with messages and a file. */
  interface Stage {
    a: string;
    b: string;
    m1: string;
    m2: string;
    attachmentId: string;
  }

  async function stage(kind: Kind, state: State, viewer: ApiClient, owner: ApiClient): Promise<Stage> {
    const ok = (answer: { status: number; body: unknown }) =>
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const [a, b] = [randomUUID(), randomUUID()];
    const creator = state === 'channel admin' ? viewer : owner;
    for (const channelId of [a, b])
      ok(
        await creator.command('CreateChannel', {
          channelId,
          name: `m-${randomUUID().slice(0, 12)}`,
          visibility: kind,
        }),
      );
    if (state === 'channel admin')
      ok(await viewer.command('AddChannelMember', { channelId: a, userId: owner.user!.id }));
    else if (state !== 'non-member')
      for (const channelId of [a, b])
        ok(await owner.command('AddChannelMember', { channelId, userId: viewer.user!.id }));
    const [m1, m2] = [randomUUID(), randomUUID()];
    const attachmentId = await upload(owner);
    ok(
      await owner.command('PostMessage', {
        channelId: a,
        messageId: m1,
        body: 'first',
        attachmentIds: [attachmentId],
      }),
    );
    ok(await owner.command('PostMessage', { channelId: a, messageId: m2, body: 'second' }));
    if (state === 'left')
      for (const channelId of [a, b]) ok(await viewer.command('LeaveChannel', { channelId }));
    if (state === 'deactivated') ok(await emma.command('DeactivateUser', { userId: viewer.user!.id }));
    if (state === 'channel deleted')
      for (const channelId of [a, b]) ok(await owner.command('DeleteChannel', { channelId }));
    return { a, b, m1, m2, attachmentId };
  }

  async function walk(viewer: ApiClient, extraUser: string, f: Stage): Promise<Record<Endpoint, number>> {
    const statusOf = async (answer: Promise<{ status: number }>) => (await answer).status;
    const listed = await viewer.get('/api/channels');
    const result: Partial<Record<Endpoint, number>> = {
      'GET /api/channels (listed)':
        listed.status !== 200
          ? listed.status
          : (listed.body.items as { id: string }[]).some((c) => c.id === f.a)
            ? 200
            : 404,
      'GET /api/channels/{id}': await statusOf(viewer.get(`/api/channels/${f.a}`)),
      'GET /api/channels/{id}/members': await statusOf(viewer.get(`/api/channels/${f.a}/members`)),
      'GET /api/channels/{id}/messages': await statusOf(viewer.get(`/api/channels/${f.a}/messages`)),
      'GET /api/team-chat/poll?channelId={id}': await statusOf(
        viewer.get(`/api/team-chat/poll?channelId=${f.a}&limit=10`),
      ),
      'GET /api/attachments/{id}': await statusOf(viewer.get(`/api/attachments/${f.attachmentId}`)),
    };
    // Commands in an order where none spoils the next: the channel's own life comes last.
    const commands: [Endpoint, string, Record<string, unknown>][] = [
      ['MarkChannelRead', 'MarkChannelRead', { channelId: f.a }],
      ['MuteChannel', 'MuteChannel', { channelId: f.a }],
      ['UnmuteChannel', 'UnmuteChannel', { channelId: f.a }],
      ['ReactToMessage', 'ReactToMessage', { messageId: f.m1, emoji: '👍' }],
      ['RemoveReaction', 'RemoveReaction', { messageId: f.m1, emoji: '👍' }],
      ['EditMessage (of another)', 'EditMessage', { messageId: f.m1, body: 'changed' }],
      ['PostMessage', 'PostMessage', { channelId: f.a, messageId: randomUUID(), body: 'hello' }],
      ['AddChannelMember', 'AddChannelMember', { channelId: f.a, userId: extraUser }],
      ['DeleteMessage (of another)', 'DeleteMessage', { messageId: f.m2 }],
      ['JoinChannel', 'JoinChannel', { channelId: f.a }],
      ['LeaveChannel', 'LeaveChannel', { channelId: f.a }],
      ['DeleteChannel', 'DeleteChannel', { channelId: f.b }],
    ];
    for (const [endpoint, name, body] of commands)
      result[endpoint] = await statusOf(viewer.command(name, body));
    return result as Record<Endpoint, number>;
  }

  for (const kind of ['public', 'private'] as const) {
    for (const role of ROLES) {
      it(`${kind} channel, viewer is ${role}: every state`, async () => {
        const owner = await newUser('USER', 'Owner');
        const extra = await newUser('USER', 'Extra');
        // An auditor cannot create or leave a channel, so cannot be its admin or have left it.
        for (const state of STATES.filter(
          (s) => role !== 'AUDITOR' || (s !== 'channel admin' && s !== 'left'),
        )) {
          const viewer = await newUser(role);
          const fixture = await stage(kind, state, viewer, owner);
          const actual = await walk(viewer, extra.user!.id, fixture);
          expect(actual, `${kind} channel, ${role} viewer, ${state}`).toEqual(expected(kind, state, role));
        }
      });
    }
  }

  for (const role of ROLES) {
    it(`direct messages, viewer is ${role}: participant and outsider`, async () => {
      const owner = await newUser('USER', 'Owner');
      const extra = await newUser('USER', 'Extra');
      for (const participant of [true, false]) {
        const viewer = await newUser(role);
        const partner = participant ? viewer : extra;
        const opened = await owner.command('OpenDirectMessage', { userId: partner.user!.id });
        expect(opened.status).toBe(200);
        const dm = opened.body.channelId as string;
        const [m1, m2] = [randomUUID(), randomUUID()];
        const attachmentId = await upload(owner);
        await owner.command('PostMessage', {
          channelId: dm,
          messageId: m1,
          body: 'first',
          attachmentIds: [attachmentId],
        });
        await owner.command('PostMessage', { channelId: dm, messageId: m2, body: 'second' });
        const actual = await walk(viewer, extra.user!.id, { a: dm, b: dm, m1, m2, attachmentId });
        const orgAdmin = role === 'ADMIN' || role === 'SUPER_ADMIN';
        const expectation =
          participant && role !== 'AUDITOR'
            ? {
                ...expected('private', 'member', role),
                AddChannelMember: 409,
                'DeleteMessage (of another)': orgAdmin ? 200 : 403,
                LeaveChannel: 409,
                DeleteChannel: 409,
              }
            : expected('private', participant ? 'member' : 'non-member', role);
        expect(actual, `DM, ${role} viewer, ${participant ? 'participant' : 'outsider'}`).toEqual(
          expectation,
        );
      }
    });
  }
});
