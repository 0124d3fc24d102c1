import { describe, inject, it } from 'vitest';
import { EventStoreDBAdapter, MemoryKeyVault } from '../src/index';
import { describeEventStoreContract } from './event-store.contract';

// ESDB_URL, or the container test/global-setup.ts started when a container runtime answered
const esdbUrl = process.env.ESDB_URL || inject('esdbUrl');

if (esdbUrl) {
  describeEventStoreContract('eventstoredb', async () => {
    const adapter = new EventStoreDBAdapter(esdbUrl);
    return { adapter, vault: new MemoryKeyVault(), concurrent: true, close: () => adapter.close() };
  });
} else {
  console.log('EventStoreDB contract suite skipped: set ESDB_URL or provide a container runtime');
  describe.skip('event store contract: eventstoredb', () => {
    it('needs an EventStoreDB server (ESDB_URL or a container runtime)', () => undefined);
  });
}
