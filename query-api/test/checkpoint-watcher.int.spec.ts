import { CHECKPOINTS_DDL, ensureCheckpoint, PROGRESS_CHANNEL, writeCheckpoint } from '@chat/projections';
import { createTestDatabase } from '@chat/platform/testing/database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointWatcher } from '../src/consistency/checkpoint-watcher';

describe('the checkpoint watcher, hearing projectors announce their progress', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const watchers: CheckpointWatcher[] = [];
  const watch = async (settledMs: number) => {
    const watcher = new CheckpointWatcher(database.db, ['team_chat', 'users'], {
      progress: database,
      settledMs,
    });
    watchers.push(watcher);
    await watcher.start();
    return watcher;
  };
  const announce = (payload: string) =>
    sql`SELECT pg_notify(${PROGRESS_CHANNEL}, ${payload})`.execute(database.db);

  beforeAll(async () => {
    database = await createTestDatabase();
    await sql.raw(CHECKPOINTS_DDL).execute(database.db);
    for (const name of ['team_chat', 'users']) {
      await ensureCheckpoint(database.db, name);
      await writeCheckpoint(database.db, name, 10n, 10n);
    }
  });
  afterAll(async () => {
    for (const watcher of watchers) await watcher.close();
    await database?.close();
  });

  it('knows what was announced without reading the table, and never goes back', async () => {
    const watcher = await watch(60_000);
    expect(await watcher.changedPosition('team_chat')).toBe('10');
    expect(await watcher.position()).toBe(10n);
    // The table still says 10: what the watcher knows now, it heard.
    await announce('team_chat 30 20');
    await expect.poll(() => watcher.changedPosition('team_chat')).toBe('20');
    expect(await watcher.position()).toBe(10n); // users still stands at 10
    await announce('users 40 40');
    await expect.poll(() => watcher.position()).toBe(30n);
    // An announcement older than what it knows (a batch it heard of by another way) changes nothing.
    await announce('team_chat 25 15');
    await announce('not an announcement');
    await announce('users 50 40');
    await expect.poll(() => watcher.position()).toBe(50n - 20n);
    expect(await watcher.changedPosition('team_chat')).toBe('20');
  });

  it('waits for an announced position (read-your-writes) without waiting for the table', async () => {
    const watcher = await watch(60_000);
    await watcher.position();
    const waiting = watcher.waitFor(60n, 5_000);
    // As a projector does: the checkpoint and its announcement commit together.
    for (const [name, position] of [
      ['team_chat', 60n],
      ['users', 70n],
    ] as const)
      await database.db.transaction().execute(async (tx) => {
        await writeCheckpoint(tx, name, position, position);
        await sql`SELECT pg_notify(${PROGRESS_CHANNEL}, ${`${name} ${position} ${position}`})`.execute(tx);
      });
    expect(await waiting).toBe(true);
  });

  it('reads the table now and then for what nothing announces (a rebuild swapped in)', async () => {
    const watcher = await watch(50);
    await watcher.position();
    await writeCheckpoint(database.db, 'team_chat', 100n, 90n);
    await writeCheckpoint(database.db, 'users', 100n, 90n);
    await expect.poll(() => watcher.changedPosition('team_chat')).toBe('90');
    expect(await watcher.position()).toBe(100n);
  });
});
