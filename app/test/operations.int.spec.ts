import { startTestSystem, type TestSystem } from '../src/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('operations endpoints', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
  });
  afterAll(async () => t?.close());

  it('answers health, readiness and Prometheus metrics', async () => {
    expect((await t.anonymous.request('GET', '/health')).body).toEqual({ status: 'ok' });
    expect((await t.anonymous.request('GET', '/ready')).status).toBe(200);
    await t.anonymous.request('POST', '/api/auth/login', { email: 'emma@demo.local', password: 'demo' });
    const metrics = (await t.anonymous.request('GET', '/metrics')).body as string;
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('commands_total{command="CreateUser",outcome="ok"}');
  });

  it('reports each projector position against the head of the log', async () => {
    await t.settle();
    const status = await t.anonymous.request('GET', '/api/projections');
    expect(status.status).toBe(200);
    const users = status.body.items.find((i: { name: string }) => i.name === 'users');
    expect(users).toMatchObject({ behind: false });
    expect(users.position).toBe(status.body.head);
  });

  it('carries the correlation id of a request into the events it caused', async () => {
    const emma = await t.login('emma@demo.local');
    const correlationId = '11111111-2222-4333-8444-555555555555';
    const answer = await emma.request(
      'POST',
      '/api/commands/CreateUser',
      { userId: '99999999-2222-4333-8444-555555555555', email: 'corr@demo.local', name: 'Corr', role: 'USER', password: 'corr-pw' },
      { 'x-correlation-id': correlationId },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-correlation-id')).toBe(correlationId);
    const [event] = await t.system.platform.store.readStream('user-99999999-2222-4333-8444-555555555555');
    expect(event!.metadata).toMatchObject({ correlationId, command: 'CreateUser', actor: { kind: 'user', id: emma.user!.id } });
  });
});
