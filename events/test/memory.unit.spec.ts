import { MemoryEventStoreAdapter } from '../src/index';
import { describeEventStoreContract } from './event-store.contract';

describeEventStoreContract('in-memory', async () => ({
  adapter: new MemoryEventStoreAdapter(),
  concurrent: true,
  close: async () => undefined,
}));
