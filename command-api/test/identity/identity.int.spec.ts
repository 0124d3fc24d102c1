import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('identity and access, through HTTP', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(async () => t?.close());

  it('signs in with a cookie and a bearer token, and knows who I am', async () => {
    const login = await t.anonymous.request('POST', '/api/auth/login', {
      email: 'emma@demo.local',
      password: 'demo',
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/portal_session=.+HttpOnly; SameSite=Lax/);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const me = await t.anonymous.request('GET', '/api/me', undefined, { cookie });
    expect(me.body.user).toMatchObject({ email: 'emma@demo.local', role: 'SUPER_ADMIN', name: 'Emma' });
    const emma = await t.login('emma@demo.local');
    expect((await emma.get('/api/me')).body.user.email).toBe('emma@demo.local');
  });

  it('refuses a wrong password, an unknown email, and no token alike', async () => {
    for (const body of [
      { email: 'emma@demo.local', password: 'nope' },
      { email: 'nobody@demo.local', password: 'demo' },
    ]) {
      const answer = await t.anonymous.request('POST', '/api/auth/login', body);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    expect((await t.anonymous.get('/api/me')).status).toBe(401);
    expect(
      (
        await t.anonymous.request('GET', '/api/users', undefined, {
          authorization: 'Bearer forged-token-forged-token',
        })
      ).status,
    ).toBe(401);
  });

  it('throttles repeated failures with 429 and Retry-After', async () => {
    const email = 'morgan@demo.local';
    for (let i = 0; i < 5; i++)
      await t.anonymous.request('POST', '/api/auth/login', { email, password: 'wrong' });
    const blocked = await t.anonymous.request('POST', '/api/auth/login', { email, password: 'demo' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('creates a user who can then sign in; the list shows them (read-your-writes)', async () => {
    const emma = await t.login('emma@demo.local');
    const userId = randomUUID();
    const created = await emma.command('CreateUser', {
      userId,
      email: 'New.Person@Demo.Local',
      name: 'New Person',
      role: 'AGENT',
      password: 'secret-1',
    });
    expect(created.status).toBe(200);
    expect(created.body.position).toMatch(/^\d+$/);
    const users = await emma.get('/api/users');
    expect(users.headers.get('x-position')).toBeTruthy();
    expect(BigInt(users.headers.get('x-position')!)).toBeGreaterThanOrEqual(BigInt(created.body.position));
    expect(users.body.items.map((u: { id: string }) => u.id)).toContain(userId);
    const newcomer = await t.login('new.person@demo.local', 'secret-1');
    expect(newcomer.user?.role).toBe('AGENT');
    const again = await emma.command('CreateUser', {
      userId: randomUUID(),
      email: 'new.person@demo.local',
      name: 'X',
      role: 'USER',
      password: 'secret-1',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('a role change applies at once; a deactivated user is refused at once by both APIs', async () => {
    const emma = await t.login('emma@demo.local');
    const userId = randomUUID();
    await emma.command('CreateUser', {
      userId,
      email: `p-${userId}@demo.local`,
      name: 'Pat',
      role: 'USER',
      password: 'pw-pat',
    });
    const pat = await t.login(`p-${userId}@demo.local`, 'pw-pat');
    expect(
      (
        await pat.command('CreateUser', {
          userId: randomUUID(),
          email: 'z@demo.local',
          name: 'Z',
          role: 'USER',
          password: 'zzzz',
        })
      ).status,
    ).toBe(403);
    expect((await emma.command('ChangeUserRole', { userId, role: 'ADMIN' })).status).toBe(200);
    expect((await pat.command('DeactivateUser', { userId: randomUUID() })).status).toBe(404);
    expect((await emma.command('DeactivateUser', { userId })).status).toBe(200);
    expect((await pat.get('/api/me')).status).toBe(401);
    expect(
      (await pat.command('ChangePassword', { currentPassword: 'pw-pat', newPassword: 'another' })).status,
    ).toBe(401);
    expect(
      (
        await t.anonymous.request('POST', '/api/auth/login', {
          email: `p-${userId}@demo.local`,
          password: 'pw-pat',
        })
      ).status,
    ).toBe(401);
  });

  it('changes a password: the old one stops working, other sessions end', async () => {
    const emma = await t.login('emma@demo.local');
    const userId = randomUUID();
    const email = `c-${userId}@demo.local`;
    await emma.command('CreateUser', { userId, email, name: 'Cy', role: 'USER', password: 'first' });
    const first = await t.login(email, 'first');
    const second = await t.login(email, 'first');
    expect(
      (await first.command('ChangePassword', { currentPassword: 'wrong', newPassword: 'second' })).status,
    ).toBe(401);
    expect(
      (await first.command('ChangePassword', { currentPassword: 'first', newPassword: 'second' })).status,
    ).toBe(200);
    expect((await first.get('/api/me')).status).toBe(200);
    expect((await second.get('/api/me')).status).toBe(401);
    expect(
      (await second.command('ChangePassword', { currentPassword: 'second', newPassword: 'third' })).status,
    ).toBe(401);
    await t.login(email, 'second');
  });

  it('logs out', async () => {
    const jamie = await t.login('jamie@demo.local');
    await jamie.request('POST', '/api/auth/logout');
    expect((await jamie.get('/api/me')).status).toBe(401);
  });

  it('answers 304 to an unchanged list, and X-Min-Position waits for the write', async () => {
    const emma = await t.login('emma@demo.local');
    const first = await emma.get('/api/users');
    const etag = first.headers.get('etag')!;
    expect((await emma.get('/api/users', { 'if-none-match': etag })).status).toBe(304);
    await emma.command('CreateUser', {
      userId: randomUUID(),
      email: `e-${randomUUID()}@demo.local`,
      name: 'E',
      role: 'USER',
      password: 'eeee',
    });
    expect((await emma.get('/api/users', { 'if-none-match': etag })).status).toBe(200);
    const bad = await emma.request('GET', '/api/users', undefined, { 'x-min-position': 'abc' });
    expect(bad.status).toBe(400);
  });

  it('publishes OpenAPI generated from the schemas', async () => {
    const docs = await t.anonymous.request('GET', '/api/docs/json');
    expect(docs.body.paths['/api/commands/CreateUser'].post.requestBody).toBeTruthy();
    expect(docs.body.paths['/api/users'].get).toBeTruthy();
  });
});
