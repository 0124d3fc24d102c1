import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, vacuumWhereDue, type Database } from '../src/database';

describe('the embedded database, which has no autovacuum', () => {
  let database: Database;
  const deadRows = async () =>
    (
      await database.pool.query<{ dead: number }>(
        "SELECT n_dead_tup::int AS dead FROM pg_stat_user_tables WHERE relname = 'read_marks'",
      )
    ).rows[0]!.dead;

  beforeAll(async () => {
    database = await openPglite('memory://');
    await database.pool.query(`
      CREATE TABLE read_marks (id int PRIMARY KEY, seen int NOT NULL, written_at bigint NOT NULL);
      CREATE INDEX read_marks_written_at ON read_marks (written_at);
      INSERT INTO read_marks SELECT g, 0, 0 FROM generate_series(1, 20) g`);
  });
  afterAll(() => database.close());

  it('vacuums the tables whose rows were updated over and over, and only those', async () => {
    await database.pool.query('CREATE TABLE quiet (id int PRIMARY KEY)');
    await database.pool.query('INSERT INTO quiet VALUES (1)');
    await vacuumWhereDue(database.pool);
    for (let i = 1; i <= 2_000; i++)
      await database.pool.query('UPDATE read_marks SET seen = seen + 1, written_at = $2 WHERE id = $1', [
        (i % 20) + 1,
        i,
      ]);
    // Statistics reach the views at most once a second; the housekeeping runs once a minute.
    await database.pool.query('SELECT pg_stat_force_next_flush()');
    expect(await deadRows()).toBeGreaterThan(1_000);
    expect(await vacuumWhereDue(database.pool)).toEqual(['public.read_marks']);
    await database.pool.query('SELECT pg_stat_force_next_flush()');
    expect(await deadRows()).toBeLessThan(100);
    expect(await vacuumWhereDue(database.pool)).toEqual([]);
  });
});
