import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, loadConfig } from '@chat/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem } from '../src/system';
import { ApiClient } from '../src/testing/test-system';

describe('the embedded mode keeps its data across restarts', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'portal-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = () =>
    startSystem(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }), createLogger('silent'), {
      commands: true,
      queries: true,
      projections: true,
      web: false,
    });

  it('seeds once, and what was written before a restart is there after it', async () => {
    const first = await start();
    const login = await new ApiClient(first.url!).request('POST', '/api/auth/login', { email: 'emma@demo.local', password: 'demo' });
    const emma = new ApiClient(first.url!, login.body.token);
    const userId = randomUUID();
    expect((await emma.command('CreateUser', { userId, email: 'kept@demo.local', name: 'Kept', role: 'USER', password: 'kept-pw' })).status).toBe(200);
    const headBefore = await first.platform.store.headPosition();
    await first.close();

    const second = await start();
    try {
      expect(await second.platform.store.headPosition()).toBe(headBefore); // no second seed
      const again = await new ApiClient(second.url!).request('POST', '/api/auth/login', { email: 'kept@demo.local', password: 'kept-pw' });
      expect(again.status).toBe(200);
      const users = await new ApiClient(second.url!, again.body.token).get('/api/users');
      expect(users.body.items.map((u: { id: string }) => u.id)).toContain(userId);
    } finally {
      await second.close();
    }
  });
});
