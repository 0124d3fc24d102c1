import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresKeyVault } from '../src/index';

describe('Postgres key vault cache', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const secret = randomBytes(32);

  beforeAll(async () => {
    database = await createTestDatabase();
    await new PostgresKeyVault(database.pool, secret).migrate();
  });
  afterAll(async () => database?.close());

  it('holds at most its number of keys: one pushed out is read again, and so sees an erasure made elsewhere', async () => {
    const reader = new PostgresKeyVault(database.pool, secret, 60_000, 2);
    const eraser = new PostgresKeyVault(database.pool, secret, 0);
    const [a, b, c] = ['user:vault-a', 'user:vault-b', 'user:vault-c'].map(
      (s) => `${s}-${randomBytes(4).toString('hex')}`,
    );
    for (const subject of [a!, b!, c!]) expect(await reader.keyForWriting(subject)).not.toBeNull();
    await eraser.erase(a!);
    await eraser.erase(c!);
    // a was pushed out by c: read again, it is erased. c is still held: the cache answers until it expires.
    expect((await reader.keysForReading([a!])).has(a!)).toBe(false);
    expect((await reader.keysForReading([c!])).has(c!)).toBe(true);
  });
});
