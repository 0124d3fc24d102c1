import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../src/testing/test-system';

describe('clients that give up early and retry every command', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(async () => t?.close());

  it('end with every message exactly once, however many attempts timed out', async () => {
    const clients = await Promise.all(['emma@demo.local', 'mitch@demo.local', 'jamie@demo.local'].map((e) => t.login(e)));
    const general = ((await clients[0]!.get('/api/channels')).body.items as { id: string; name: string }[]).find((c) => c.name === 'general')!.id;
    for (const client of clients) await client.command('JoinChannel', { channelId: general });
    const posted: string[] = [];
    let timedOut = 0;
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < 15; i++) {
          const messageId = randomUUID();
          for (let attempt = 0; ; attempt++) {
            // patience shorter than a command often takes: the client cannot know whether it happened
            const patience = attempt < 3 ? 1 + Math.random() * 15 : 10_000;
            try {
              const answer = await client.request('POST', '/api/commands/PostMessage', { channelId: general, messageId, body: `retry ${c}-${i}` }, {}, AbortSignal.timeout(patience));
              if (answer.status === 200) break;
            } catch {
              timedOut++;
            }
          }
          posted.push(messageId);
        }
      }),
    );
    expect(timedOut).toBeGreaterThan(0);
    await t.settle();
    const messages = (await clients[0]!.get(`/api/channels/${general}/messages?limit=200`)).body.items as { id: string }[];
    const ids = messages.map((m) => m.id).filter((id) => posted.includes(id));
    expect(ids.sort()).toEqual([...posted].sort());
    const events = await t.system.platform.store.readAll(-1n, 100_000);
    const postedEvents = events.filter((e) => e.type === 'MessagePosted' && posted.includes((e.data as { messageId: string }).messageId));
    expect(postedEvents).toHaveLength(posted.length);
  });
});
