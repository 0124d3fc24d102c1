import { randomBytes } from 'node:crypto';
import { openPglite } from '@chat/platform/database';
import { PostgresEventStoreAdapter, PostgresKeyVault } from '../src/index';
import { describeEventStoreContract } from './event-store.contract';
import { countingFailures, describeBatchedAppends } from './batched-appends';
import { describeSharedDatabase } from './shared-database';

describeEventStoreContract('pglite', async () => {
  const database = await openPglite('memory://');
  const adapter = new PostgresEventStoreAdapter(database, 'pglite');
  await adapter.migrate();
  const vault = new PostgresKeyVault(database.pool, randomBytes(32), 0);
  await vault.migrate();
  return {
    adapter,
    vault,
    concurrent: false,
    close: async () => (await adapter.close(), await database.close()),
  };
});

describeSharedDatabase('pglite, two adapters', async () => {
  const database = await openPglite('memory://');
  const adapter = new PostgresEventStoreAdapter(database, 'pglite');
  await adapter.migrate();
  return {
    adapters: [adapter, new PostgresEventStoreAdapter(database, 'pglite')],
    concurrent: false,
    close: () => database.close(),
  };
});

describeBatchedAppends('pglite', async () => {
  const database = await openPglite('memory://');
  const { connection, failedStatements } = countingFailures(database);
  const adapter = new PostgresEventStoreAdapter(connection, 'pglite');
  await adapter.migrate();
  return { adapter, failedStatements, close: async () => (await adapter.close(), await database.close()) };
});
