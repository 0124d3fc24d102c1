import { randomBytes } from 'node:crypto';
import { openPostgres } from '@chat/platform/database';
import { createTestDatabase, onRealPostgres } from '@chat/platform/testing/database';
import { describe } from 'vitest';
import { PostgresEventStoreAdapter, PostgresKeyVault } from '../src/index';
import { describeEventStoreContract } from './event-store.contract';
import { describeCommitOrderRace } from './commit-order-race';
import { countingFailures, describeBatchedAppends } from './batched-appends';
import { describeSharedDatabase } from './shared-database';

async function openTarget() {
  const database = await createTestDatabase();
  const adapter = new PostgresEventStoreAdapter(database, database.kind);
  await adapter.migrate();
  const vault = new PostgresKeyVault(database.pool, randomBytes(32), 0);
  await vault.migrate();
  return { database, adapter, vault };
}

describe.skipIf(!onRealPostgres())('PostgreSQL', () => {
  describeEventStoreContract('postgres', async () => {
    const { database, adapter, vault } = await openTarget();
    return {
      adapter,
      vault,
      concurrent: true,
      close: async () => (await adapter.close(), await database.close()),
    };
  });
  describeCommitOrderRace();
  describeBatchedAppends('postgres', async () => {
    const database = await createTestDatabase();
    const { connection, failedStatements } = countingFailures(database);
    const adapter = new PostgresEventStoreAdapter(connection, database.kind);
    await adapter.migrate();
    return { adapter, failedStatements, close: async () => (await adapter.close(), await database.close()) };
  });
  describeSharedDatabase('postgres, two pools', async () => {
    const { database, adapter } = await openTarget();
    const other = openPostgres(database.url!, { poolSize: 10 });
    return {
      adapters: [adapter, new PostgresEventStoreAdapter(other)],
      concurrent: true,
      close: async () => (await other.close(), await database.close()),
    };
  });
});
