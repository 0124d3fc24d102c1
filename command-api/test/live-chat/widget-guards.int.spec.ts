import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshIp, startVisitor, TEST_WIDGET_SITES, type Visitor } from '@chat/app/live-chat/testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the widget API guards its visitors and itself', () => {
  let t: TestSystem;
  let emma: ApiClient;
  beforeAll(async () => {
    t = await startTestSystem({ env: { WIDGET_SITES: TEST_WIDGET_SITES } });
    emma = await t.login('emma@demo.local');
  }, 180_000);
  afterAll(async () => t?.close());

  it('a visitor token opens its own session and no other: every session id of a seeded set answers 404, nothing is appended', async () => {
    const visitors: Visitor[] = [];
    for (let i = 0; i < 6; i++) visitors.push(await startVisitor(t, { name: `Visitor ${i}` }));
    for (const v of visitors) await v.say(`I am ${v.sessionId}`);
    await t.settle();
    const open = await emma.get('/api/livechat/sessions?status=open');
    const closed = await emma.get('/api/livechat/sessions?status=closed');
    const allIds: string[] = [...open.body.items, ...closed.body.items].map((s: { id: string }) => s.id);
    expect(allIds.length).toBeGreaterThanOrEqual(visitors.length + 6); // the demo seed's sessions too
    const head = await t.system.platform.store.headPosition();
    for (const v of visitors) {
      for (const id of [...allIds, randomUUID(), 'not-a-uuid']) {
        if (id === v.sessionId) continue;
        const attempts = [
          await v.view({}, id),
          await v.post(`/api/widget/sessions/${id}/messages`, { messageId: randomUUID(), body: 'let me in' }),
          await v.post(`/api/widget/sessions/${id}/close`),
          await v.post(`/api/widget/sessions/${id}/suggestions/${randomUUID()}/solved`),
        ];
        for (const a of attempts) expect(a.status, `${v.sessionId} -> ${id}`).toBe(404);
      }
    }
    expect(await t.system.platform.store.headPosition()).toBe(head);
    for (const v of visitors) {
      const own = await v.view();
      expect(own.status).toBe(200);
      expect(own.body.messages.map((m: { body: string }) => m.body)).toEqual([`I am ${v.sessionId}`]);
    }
  });

  it('no token, a forged token or a staff token opens nothing; a visitor token opens no staff endpoint', async () => {
    const v = await startVisitor(t);
    const path = `/api/widget/sessions/${v.sessionId}`;
    expect((await t.anonymous.request('GET', path)).status).toBe(401);
    expect(
      (await t.anonymous.request('GET', path, undefined, { authorization: `Bearer vt_${'A'.repeat(43)}` }))
        .status,
    ).toBe(401);
    expect((await emma.request('GET', path)).status).toBe(401);
    expect(
      (await emma.request('POST', `${path}/messages`, { messageId: randomUUID(), body: 'x' })).status,
    ).toBe(401);
    const asVisitor = { authorization: `Bearer ${v.token}` };
    for (const staffPath of [
      '/api/livechat/kpis',
      '/api/livechat/sessions',
      `/api/livechat/sessions/${v.sessionId}`,
      '/api/tickets',
      '/api/kb/articles',
      '/api/me',
    ])
      expect((await t.anonymous.request('GET', staffPath, undefined, asVisitor)).status, staffPath).toBe(401);
    expect(
      (await t.anonymous.request('POST', '/api/commands/CloseSession', { sessionId: v.sessionId }, asVisitor))
        .status,
    ).toBe(401);
  });

  it('rate limits per visitor trip with 429 and Retry-After, and recover once the window has passed', async () => {
    const v = await startVisitor(t);
    let refused: Awaited<ReturnType<Visitor['say']>> | null = null;
    for (let i = 0; i < 25 && !refused; i++) {
      const answer = await v.say(`message ${i}`);
      if (answer.status === 429) refused = answer;
      else expect(answer.status).toBe(200);
    }
    expect(refused, 'no 429 within 25 messages').not.toBeNull();
    expect(refused!.body.error.code).toBe('RATE_LIMITED');
    const wait = Number(refused!.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(10);
    // Another visitor is not affected.
    expect((await (await startVisitor(t)).say('hello')).status).toBe(200);
    await sleep(wait * 1000 + 200);
    expect((await v.say('after the wait')).status).toBe(200);
  }, 30_000);

  it('caps open sessions per address (429 until one closes), and new sessions per address per minute', async () => {
    const ip = freshIp();
    const open: Visitor[] = [];
    for (let i = 0; i < 5; i++) open.push(await startVisitor(t, { ip }));
    const capped = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'One more', widgetKey: 'demo' },
      { 'x-forwarded-for': ip },
    );
    expect(capped.status).toBe(429);
    expect(capped.body.error.code).toBe('TOO_MANY_OPEN_SESSIONS');
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(0);
    // An agent closing a session frees a place as well as the visitor closing it.
    await open[0]!.close();
    await emma.command('CloseSession', { sessionId: open[1]!.sessionId });
    await startVisitor(t, { ip });
    await startVisitor(t, { ip });
    for (const v of [...open.slice(2)]) await v.close();
    // Seven started and one refused so far count against the window of 10 a minute.
    await startVisitor(t, { ip });
    await startVisitor(t, { ip });
    const tooFast = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'Fast', widgetKey: 'demo' },
      { 'x-forwarded-for': ip },
    );
    expect(tooFast.status).toBe(429);
    expect(tooFast.body.error.code).toBe('RATE_LIMITED');
    // Other addresses carry on.
    await startVisitor(t);
  });

  it('answers CORS only to the origins of the widget key, and refuses other sites', async () => {
    const acme = 'https://shop.acme.test';
    const preflight = await t.anonymous.request('OPTIONS', '/api/widget/sessions', undefined, {
      origin: acme,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(acme);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const evilPreflight = await t.anonymous.request('OPTIONS', '/api/widget/sessions/x/messages', undefined, {
      origin: 'https://evil.test',
      'access-control-request-method': 'POST',
    });
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();

    const v = await startVisitor(t, { widgetKey: 'acme', headers: { origin: acme } });
    const view = await v.view({ origin: acme });
    expect(view.headers.get('access-control-allow-origin')).toBe(acme);
    expect(
      (await v.view({ origin: 'https://evil.test' })).headers.get('access-control-allow-origin'),
    ).toBeNull();
    const said = await v.post(
      `/api/widget/sessions/${v.sessionId}/messages`,
      { messageId: randomUUID(), body: 'hi' },
      { origin: acme },
    );
    expect(said.headers.get('access-control-allow-origin')).toBe(acme);

    const wrongKey = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'X', widgetKey: 'demo' },
      { origin: acme, 'x-forwarded-for': freshIp() },
    );
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.body.error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(wrongKey.headers.get('access-control-allow-origin')).toBeNull();
    const evil = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'X', widgetKey: 'acme' },
      { origin: 'https://evil.test', 'x-forwarded-for': freshIp() },
    );
    expect(evil.status).toBe(403);
    const unknown = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'X', widgetKey: 'nope' },
      { 'x-forwarded-for': freshIp() },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('WIDGET_KEY_UNKNOWN');
  });

  it('limits body sizes (413) and text lengths (400)', async () => {
    const v = await startVisitor(t);
    const huge = await v.post(`/api/widget/sessions/${v.sessionId}/messages`, {
      messageId: randomUUID(),
      body: 'x'.repeat(40_000),
    });
    expect(huge.status).toBe(413);
    const long = await v.say('y'.repeat(4_001));
    expect(long.status).toBe(400);
    const bigStart = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'n'.repeat(5_000), widgetKey: 'demo' },
      { 'x-forwarded-for': freshIp() },
    );
    expect(bigStart.status).toBe(413);
    const badEmail = await t.anonymous.request(
      'POST',
      '/api/widget/sessions',
      { name: 'N', email: 'not-an-email', widgetKey: 'demo' },
      { 'x-forwarded-for': freshIp() },
    );
    expect(badEmail.status).toBe(400);
    expect(
      (
        await t.anonymous.request(
          'POST',
          '/api/widget/sessions',
          { name: ' ', widgetKey: 'demo' },
          { 'x-forwarded-for': freshIp() },
        )
      ).status,
    ).toBe(400);
  });
});
