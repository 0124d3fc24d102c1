/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */
import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { demoUserId } from '@chat/app/seed/demo';
import { demoChannelId } from '@chat/app/seed/team-chat';
import type { ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVisitor } from '../../src/live-chat/testing';
import { verifyReplay } from '../../src/audit/replay-verify';

let t: TestSystem;
let emma: ApiClient; // SUPER_ADMIN
let ada: ApiClient; // AUDITOR
let jamie: ApiClient; // USER
let mitch: ApiClient; // AGENT
let morgan: ApiClient; // MANAGER
const general = demoChannelId('general');
const jamieId = demoUserId('jamie');
const secret = `the code for the side door is ${randomUUID().slice(0, 8)}`;
const deletedText = `posted by mistake: ${randomUUID().slice(0, 8)}`;
const emmaText = `Emma keeps this one ${randomUUID().slice(0, 8)}`;
let secretId: string;
let quoteId: string;

/** Every row of every table of the database (read models, sign-in, the event store itself), searched as text. */
async function tablesContaining(text: string): Promise<string[]> {
  const pool = t.system.platform.database.pool;
  const { rows } = await pool.query<{ table_schema: string; table_name: string }>(
    `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
  );
  const found: string[] = [];
  for (const { table_schema, table_name } of rows) {
    const hit = await pool.query(
      `SELECT 1 FROM "${table_schema}"."${table_name}" t WHERE t::text LIKE $1 LIMIT 1`,
      [`%${text}%`],
    );
    if (hit.rows.length > 0) found.push(`${table_schema}.${table_name}`);
  }
  return found;
}

const everyone = () => [emma, ada, jamie, mitch, morgan];
/** Reads by anyone see everyone's writes so far. */
function sync(...clients: ApiClient[]) {
  const newest = clients
    .map((c) => c.lastPosition)
    .filter(Boolean)
    .map((p) => BigInt(p!))
    .reduce((a, b) => (a > b ? a : b), 0n);
  for (const c of everyone()) c.lastPosition = newest.toString();
}

beforeAll(async () => {
  t = await startTestSystem();
  await t.settle();
  [emma, ada, jamie, mitch, morgan] = await Promise.all([
    t.login('emma@demo.local'),
    t.login('ada@demo.local'),
    t.login('jamie@demo.local'),
    t.login('mitch@demo.local'),
    t.login('morgan@demo.local'),
  ]);
  secretId = randomUUID();
  quoteId = randomUUID();
  expect(
    (await jamie.command('PostMessage', { channelId: general, messageId: secretId, body: secret })).status,
  ).toBe(200);
  const oops = randomUUID();
  await jamie.command('PostMessage', { channelId: general, messageId: oops, body: deletedText });
  await jamie.command('DeleteMessage', { messageId: oops });
  expect(
    (
      await emma.command('PostMessage', {
        channelId: general,
        messageId: quoteId,
        body: emmaText,
        quotedMessageId: secretId,
      })
    ).status,
  ).toBe(200);
  sync(jamie, emma);
  await t.settle();
});
afterAll(() => t?.close());

const messages = async (client: ApiClient) =>
  (await client.get(`/api/channels/${general}/messages?limit=100`)).body.items as any[];

describe('a deleted message: its text stays in the history for auditors, and nowhere else', () => {
  it('no API but the audit API shows it, and no table holds it in plain text', async () => {
    for (const client of [jamie, mitch, emma])
      expect(JSON.stringify(await messages(client))).not.toContain(deletedText);
    expect(await tablesContaining(deletedText)).toEqual([]);
    const history = await ada.get(`/api/audit/events?actor=${jamieId}&type=MessagePosted&limit=10`);
    expect(history.body.items.map((e: any) => e.data.body)).toContain(deletedText);
    const view = await ada.get(`/api/audit/channels/${general}/as-of`);
    expect(view.body.messages.find((m: any) => m.bodyBeforeDeletion === deletedText)).toMatchObject({
      status: 'deleted',
      body: '',
    });
  });
});

describe('erasing a person (right to be forgotten)', () => {
  it('before: the text is there for colleagues and auditors', async () => {
    expect((await messages(mitch)).find((m) => m.id === secretId).body).toBe(secret);
    expect((await messages(mitch)).find((m) => m.id === quoteId).quote.snippet).toBe(secret);
    expect(await tablesContaining(secret)).toEqual(expect.arrayContaining(['public.tc_messages']));
    const audit = await ada.get(`/api/audit/events?actor=${jamieId}&type=MessagePosted&limit=10`);
    expect(audit.body.items.map((e: any) => e.data.body)).toContain(secret);
  });

  it('only a SUPER_ADMIN may erase, and only someone no longer active', async () => {
    for (const client of [ada, morgan, mitch, jamie])
      expect((await client.command('ErasePersonalData', { userId: jamieId })).status).toBe(403);
    const active = await emma.command('ErasePersonalData', { userId: jamieId });
    expect(active.status).toBe(409);
    expect(active.body.error.code).toBe('USER_ACTIVE');
    expect((await emma.command('ErasePersonalData', { userId: randomUUID() })).status).toBe(404);
    expect(
      (await emma.command('ErasePersonalData', { userId: jamieId, sessionId: randomUUID() })).status,
    ).toBe(400);
  });

  it('after: "[erased]" in every read model and in the audit API; other people intact; chains verify', async () => {
    expect((await emma.command('DeactivateUser', { userId: jamieId })).status).toBe(200);
    const erased = await emma.command('ErasePersonalData', { userId: jamieId });
    expect(erased.status).toBe(200);
    expect(erased.body.subject).toBe(`user:${jamieId}`);
    const again = await emma.command('ErasePersonalData', { userId: jamieId });
    expect(again.body.position).toBe(erased.body.position);
    sync(emma);
    await t.settle();

    const list = await messages(mitch);
    expect(list.find((m) => m.id === secretId).body).toBe('[erased]');
    expect(list.find((m) => m.id === quoteId)).toMatchObject({
      body: emmaText,
      quote: expect.objectContaining({ snippet: '[erased]' }),
    });
    expect(list.filter((m) => m.author.id === demoUserId('mitch')).every((m) => m.body !== '[erased]')).toBe(
      true,
    );
    const users = (await emma.get('/api/users?includeInactive=true')).body.items;
    expect(users.find((u: any) => u.id === jamieId)).toMatchObject({
      name: '[erased]',
      email: '[erased]',
      active: false,
    });
    expect(users.find((u: any) => u.id === demoUserId('emma'))).toMatchObject({
      name: 'Emma',
      email: 'emma@demo.local',
    });

    const audit = await ada.get(`/api/audit/events?actor=${jamieId}&limit=100`);
    expect(JSON.stringify(audit.body)).not.toContain(secret);
    expect(
      audit.body.items
        .filter((e: any) => e.type === 'MessagePosted')
        .every((e: any) => e.data.body === '[erased]'),
    ).toBe(true);
    const created = (await ada.get(`/api/audit/streams/user-${jamieId}`)).body.items[0];
    expect(created.data).toMatchObject({ email: '[erased]', name: '[erased]' });
    const view = await ada.get(`/api/audit/channels/${general}/as-of`);
    expect(view.body.messages.find((m: any) => m.id === secretId).body).toBe('[erased]');
    expect(view.body.messages.find((m: any) => m.id === quoteId).body).toBe(emmaText);
    const record = (await ada.get('/api/audit/events?type=PersonalDataErased')).body.items[0];
    expect(record.data).toEqual({
      subject: `user:${jamieId}`,
      kind: 'user',
      subjectId: jamieId,
      erasedBy: demoUserId('emma'),
    });

    expect(await tablesContaining(secret)).toEqual([]);
    expect(await tablesContaining('jamie@demo.local')).toEqual([]);
    expect(await tablesContaining('emma@demo.local')).not.toEqual([]);
    expect((await ada.get('/api/audit/verify')).body).toMatchObject({ ok: true, firstBreak: null });
    expect(
      (await t.anonymous.request('POST', '/api/auth/login', { email: 'jamie@demo.local', password: 'demo' }))
        .status,
    ).toBe(401);
  });

  it('a Live chat visitor, once their chat is closed', async () => {
    const name = `Vera ${randomUUID().slice(0, 6)}`;
    const email = `vera.${randomUUID().slice(0, 6)}@example.com`;
    const visitor = await startVisitor(t, { name, email });
    await visitor.say(`my account number is ${name}-42`);
    mitch.lastPosition = visitor.lastPosition;
    await mitch.command('JoinSession', { sessionId: visitor.sessionId });
    await mitch.command('PostAgentMessage', {
      sessionId: visitor.sessionId,
      messageId: randomUUID(),
      body: 'Mitch here, let me check.',
    });
    const open = await emma.command('ErasePersonalData', { sessionId: visitor.sessionId });
    expect(open.body.error.code).toBe('SESSION_OPEN');
    await mitch.command('CloseSession', { sessionId: visitor.sessionId });
    expect((await emma.command('ErasePersonalData', { sessionId: visitor.sessionId })).status).toBe(200);
    sync(mitch, emma);
    await t.settle();

    const session = (await mitch.get(`/api/livechat/sessions/${visitor.sessionId}`)).body;
    expect(session).toMatchObject({ visitorName: '[erased]', visitorEmail: '[erased]' });
    expect(session.messages.map((m: any) => m.body)).toEqual(['[erased]', 'Mitch here, let me check.']);
    expect(await tablesContaining(name)).toEqual([]);
    expect(await tablesContaining(email)).toEqual([]);
    const asOf = await ada.get(`/api/audit/sessions/${visitor.sessionId}/as-of`);
    expect(asOf.body.session).toMatchObject({ visitorName: '[erased]', visitorEmail: '[erased]' });
    expect((await ada.get(`/api/audit/verify?stream=session-${visitor.sessionId}`)).body.ok).toBe(true);
  });

  it('the read models, updated in place, equal a rebuild from the history without the keys', async () => {
    const result = await verifyReplay({
      db: t.system.platform.database.db as Kysely<ReadModels>,
      store: t.system.platform.store,
      logger: t.system.platform.logger,
    });
    expect(result.projectors.filter((p) => !p.equal)).toEqual([]);
  });
});
