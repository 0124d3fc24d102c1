import { randomUUID } from 'node:crypto';
import { ApiClient, startTestSystem, type TestSystem } from '@chat/app/testing/test-system';
import { chatSessionStream } from '@chat/events';
import { onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AGENTS = 50;
const ROUNDS = 100;

/** Races need a real server: PGlite serves one connection at a time. */
describe.skipIf(!onRealPostgres())('Live chat under concurrency (real Postgres)', () => {
  let t: TestSystem;
  let agents: { id: string; name: string; client: ApiClient }[];
  const startSession = async () => {
    const sessionId = randomUUID();
    await t.system.bus.execute({
      name: 'StartVisitorSession',
      issuer: { kind: 'visitor', sessionId },
      body: { sessionId, visitorName: 'Racer', widgetKey: 'demo' },
    });
    return sessionId;
  };

  beforeAll(async () => {
    t = await startTestSystem({ env: { DB_POOL_SIZE: '20' } });
    agents = [];
    for (let i = 0; i < AGENTS; i++) {
      const id = randomUUID();
      const name = `Agent ${i}`;
      await t.system.bus.execute({
        name: 'CreateUser',
        issuer: { kind: 'system', id: 'test' },
        body: { userId: id, email: `agent-${i}-${id}@race.test`, name, role: 'AGENT', password: 'race-pw' },
      });
      const { token } = await t.system.platform.sessions.create(id, 'AGENT');
      agents.push({ id, name, client: new ApiClient(t.url, token, { id, email: '', name, role: 'AGENT' }) });
    }
  }, 180_000);
  afterAll(async () => t?.close());

  it(`${AGENTS} agents take one WAITING session at once, ${ROUNDS} times: always exactly one winner, the others 409 naming them`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const sessionId = await startSession();
      const answers = await Promise.all(agents.map((a) => a.client.command('JoinSession', { sessionId })));
      const winners = answers
        .map((answer, i) => ({ answer, agent: agents[i]! }))
        .filter((x) => x.answer.status === 200);
      expect(winners, `round ${round}`).toHaveLength(1);
      const winner = winners[0]!.agent;
      for (const answer of answers) {
        if (answer.status === 200) continue;
        expect(answer.status, `round ${round}: ${JSON.stringify(answer.body)}`).toBe(409);
        expect(answer.body.error.code).toBe('SESSION_TAKEN');
        expect(answer.body.error.details.agent).toEqual({ id: winner.id, name: winner.name });
        expect(answer.body.error.message).toContain(winner.name);
      }
      const events = await t.system.platform.store.readStream(chatSessionStream(sessionId));
      expect(
        events
          .filter((e) => e.type === 'AgentJoinedSession')
          .map((e) => (e.data as { agentId: string }).agentId),
      ).toEqual([winner.id]);
    }
  }, 300_000);

  it('a close racing visitor and agent messages: nothing is appended after the close, and every 200 is in the transcript', async () => {
    for (let round = 0; round < 10; round++) {
      const sessionId = await startSession();
      const agent = agents[round]!;
      await agent.client.command('JoinSession', { sessionId });
      const visitor = { kind: 'visitor' as const, sessionId };
      const sends = Array.from({ length: 20 }, (_, i) => {
        const messageId = randomUUID();
        const send =
          i % 4 === 0
            ? agent.client
                .command('PostAgentMessage', { sessionId, messageId, body: `agent ${i}` })
                .then((a) => a.status)
            : t.system.bus
                .execute({
                  name: 'PostVisitorMessage',
                  issuer: visitor,
                  body: { sessionId, messageId, body: `visitor ${i}` },
                })
                .then(
                  () => 200,
                  (error: { status?: number }) => error.status ?? 500,
                );
        return send.then((status) => ({ messageId, status }));
      });
      // Under this much contention the bounded retry may give up (409 CONCURRENT_UPDATE): the client tries again.
      const close = (async () => {
        for (;;) {
          const answer = await agent.client.command('CloseSession', { sessionId });
          if (answer.status !== 409 || answer.body.error.code !== 'CONCURRENT_UPDATE') return answer;
        }
      })();
      const results = await Promise.all(sends);
      expect((await close).status).toBe(200);
      for (const r of results) expect([200, 409]).toContain(r.status);

      const events = await t.system.platform.store.readStream(chatSessionStream(sessionId));
      const closedAt = events.findIndex((e) => e.type === 'SessionClosed');
      expect(closedAt).toBeGreaterThan(0);
      expect(events.slice(closedAt + 1)).toEqual([]);
      const posted = new Set(
        events
          .filter((e) => e.type.endsWith('MessagePosted'))
          .map((e) => (e.data as { messageId: string }).messageId),
      );
      for (const r of results)
        expect(posted.has(r.messageId), `${r.messageId} answered ${r.status}`).toBe(r.status === 200);
    }
  }, 120_000);
});
