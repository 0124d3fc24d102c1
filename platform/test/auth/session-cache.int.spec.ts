import { randomUUID } from 'node:crypto';
import { openPostgres, type Database } from '@chat/platform';
import { SessionCache } from '@chat/platform/auth/session-cache';
import { hashToken, SessionStore } from '@chat/platform/auth/sessions';
import { AUTH_DDL } from '@chat/platform/auth/tables';
import { createTestDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Two processes on one database, as in the services topology: `other` signs people out (the
 * command API), `here` remembers sessions in front of its own store (the query API).
 */
describe.skipIf(!onRealPostgres())('remembered sessions end when they change, in every process', () => {
  let test: Database & { url: string | null };
  let otherDb: Database;
  let other: SessionStore;
  let here: SessionStore;
  let cache: SessionCache;

  beforeAll(async () => {
    test = await createTestDatabase();
    await test.pool.query(AUTH_DDL);
    otherDb = openPostgres(test.url!);
    other = new SessionStore(otherDb.pool, 1);
    here = new SessionStore(test.pool, 1);
    cache = new SessionCache(here, test);
    await cache.start();
  });
  afterAll(async () => {
    await cache?.close();
    await otherDb?.close();
    await test?.close();
  });

  const signIn = async (userId = randomUUID()) => ({
    userId,
    token: (await other.create(userId, 'AGENT')).token,
  });

  /** Deletes a session without any word of it, so that only memory can still answer for it. */
  const deleteUnannounced = async (token: string) => {
    const client = await otherDb.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE auth_sessions DISABLE TRIGGER auth_sessions_changed');
      await client.query('DELETE FROM auth_sessions WHERE token_hash = $1', [hashToken(token)]);
      await client.query('ALTER TABLE auth_sessions ENABLE TRIGGER auth_sessions_changed');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };

  it('answers from memory once it has seen a session', async () => {
    const { userId, token } = await signIn();
    expect((await cache.principal(token))?.userId).toBe(userId);
    await deleteUnannounced(token);
    expect(await here.principal(token)).toBeNull();
    // The tests below are meaningful only because of this: the cache did not ask again.
    expect((await cache.principal(token))?.userId).toBe(userId);
  });

  it('a sign-out in another process is in force here when it returns', async () => {
    const { token } = await signIn();
    expect(await cache.principal(token)).not.toBeNull();
    await other.revoke(hashToken(token));
    expect(await cache.principal(token)).toBeNull();
  });

  it('a deactivation ends every session of the user; other users keep theirs', async () => {
    const userId = randomUUID();
    const first = await signIn(userId);
    const second = await signIn(userId);
    const bystander = await signIn();
    for (const { token } of [first, second, bystander]) expect(await cache.principal(token)).not.toBeNull();
    await other.revokeAllOf(userId);
    expect(await cache.principal(first.token)).toBeNull();
    expect(await cache.principal(second.token)).toBeNull();
    expect((await cache.principal(bystander.token))?.userId).toBe(bystander.userId);
  });

  it('a role change applies to remembered sessions at once', async () => {
    const { userId, token } = await signIn();
    expect((await cache.principal(token))?.role).toBe('AGENT');
    await other.changeRole(userId, 'USER');
    expect((await cache.principal(token))?.role).toBe('USER');
  });

  it('a password change keeps the session it was made in and ends the others', async () => {
    const userId = randomUUID();
    const kept = await signIn(userId);
    const ended = await signIn(userId);
    expect(await cache.principal(kept.token)).not.toBeNull();
    expect(await cache.principal(ended.token)).not.toBeNull();
    await other.revokeOthersOf(userId, hashToken(kept.token));
    expect(await cache.principal(ended.token)).toBeNull();
    expect((await cache.principal(kept.token))?.userId).toBe(userId);
  });

  it('hears of changes made by plain SQL too, in commit order', async () => {
    const { token } = await signIn();
    const marker = await signIn();
    expect(await cache.principal(token)).not.toBeNull();
    await otherDb.pool.query('DELETE FROM auth_sessions WHERE token_hash = $1', [hashToken(token)]);
    // A fenced change committed after it: once it returns, the earlier one has been heard of too.
    await other.revoke(hashToken(marker.token));
    expect(await cache.principal(token)).toBeNull();
  });

  it('does not remember a lookup that raced with a sign-out', async () => {
    for (let i = 0; i < 20; i++) {
      const { token } = await signIn();
      const racing = cache.principal(token);
      await other.revoke(hashToken(token));
      await racing;
      expect(await cache.principal(token)).toBeNull();
    }
  });

  it('forgets everything when its connection breaks, and remembers again once back', async () => {
    const { token } = await signIn();
    expect(await cache.principal(token)).not.toBeNull();
    const before = cache.backendPid!;
    await otherDb.pool.query('SELECT pg_terminate_backend($1)', [before]);
    while (cache.backendPid === null || cache.backendPid === before)
      await new Promise((r) => setTimeout(r, 20));
    await deleteUnannounced(token);
    expect(await cache.principal(token)).toBeNull();
    const again = await signIn();
    expect(await cache.principal(again.token)).not.toBeNull();
    await other.revoke(hashToken(again.token));
    expect(await cache.principal(again.token)).toBeNull();
  });

  it('a revocation does not wait for a cache that has gone', async () => {
    const gone = new SessionCache(other, otherDb);
    await gone.start();
    const { token } = await signIn();
    expect(await gone.principal(token)).not.toBeNull();
    await gone.close();
    await other.revoke(hashToken(token));
    expect(await cache.principal(token)).toBeNull();
  });
});
