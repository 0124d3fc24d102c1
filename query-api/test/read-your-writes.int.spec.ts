import { randomUUID } from 'node:crypto';
import { startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('X-Min-Position when the projections are behind', () => {
  let t: TestSystem;
  beforeAll(async () => {
    // projections not running in this process: nothing moves the read models after the seed
    t = await startTestSystem({ parts: { projections: false }, env: { MIN_POSITION_WAIT_MS: '300' } });
    await t.settle();
  });
  afterAll(async () => t?.close());

  it('waits at most the configured time, then answers what it has, marked stale', async () => {
    const emma = await t.login('emma@demo.local');
    const created = await emma.command('CreateUser', { userId: randomUUID(), email: `${randomUUID()}@demo.local`, name: 'Late', role: 'USER', password: 'late-pw' });
    expect(created.status).toBe(200);
    const answer = await emma.get('/api/users', { 'x-min-position': created.body.position });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-stale')).toBe('true');
    expect(BigInt(answer.headers.get('x-position')!)).toBeLessThan(BigInt(created.body.position));
    await t.settle();
    const fresh = await emma.get('/api/users', { 'x-min-position': created.body.position });
    expect(fresh.headers.get('x-stale')).toBeNull();
    expect(BigInt(fresh.headers.get('x-position')!)).toBeGreaterThanOrEqual(BigInt(created.body.position));
  });
});
