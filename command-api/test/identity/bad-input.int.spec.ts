import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A valid body per command: each generated case breaks it in one way, so none may succeed. */
const valid: Record<string, () => Record<string, unknown>> = {
  CreateUser: () => ({ userId: randomUUID(), email: `${randomUUID()}@demo.local`, name: 'Valid Name', role: 'USER', password: 'long-enough' }),
  ChangeUserRole: () => ({ userId: randomUUID(), role: 'AGENT' }),
  DeactivateUser: () => ({ userId: randomUUID() }),
  ChangePassword: () => ({ currentPassword: 'demo', newPassword: 'another-one' }),
};

const wrongValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.string({ minLength: 10_001, maxLength: 12_000 }),
  fc.constant('\u0000'),
  fc.constant('<script>alert(1)</script>'.repeat(20)),
);

type Mutation = { kind: 'drop' | 'retype' | 'extra' | 'not-object'; field: number; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'retype', 'extra', 'not-object'),
  field: fc.nat(),
  value: wrongValue,
});

function breakBody(body: Record<string, unknown>, m: Mutation): unknown {
  const keys = Object.keys(body);
  const key = keys[m.field % keys.length]!;
  switch (m.kind) {
    case 'drop': {
      const { [key]: _dropped, ...rest } = body;
      return rest;
    }
    case 'retype':
      // a uuid, email or enum field given any of these values is invalid; a password given a string is not
      return { ...body, [key]: typeof m.value === 'string' && key.toLowerCase().includes('password') && m.value.length <= 200 ? 42 : m.value };
    case 'extra':
      return { ...body, [`unknown_${m.field}`]: m.value };
    case 'not-object':
      return Array.isArray(m.value) || typeof m.value !== 'object' || m.value === null ? m.value : [m.value];
  }
}

describe('bad input to commands: a 4xx with the error shape, and nothing appended', () => {
  let t: TestSystem;
  let emma: ApiClient;
  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
  });
  afterAll(async () => t?.close());

  it('rejects thousands of generated malformed payloads', async () => {
    await t.settle(); // the bot may still be answering the demo seed's visitor: its appends are not this test's
    const head = await t.system.platform.store.headPosition();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(valid)), mutation, fc.constantFrom('signed-in', 'none', 'forged'), async (name, m, auth) => {
        const body = breakBody(valid[name]!(), m);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (auth === 'signed-in') headers.authorization = `Bearer ${emma.token}`;
        if (auth === 'forged') headers.authorization = `Bearer ${randomUUID()}${randomUUID()}`;
        const response = await fetch(`${t.url}/api/commands/${name}`, { method: 'POST', headers, body: JSON.stringify(body) });
        const answer = (await response.json()) as { error?: { code: string; message: string } };
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(typeof answer.error?.code).toBe('string');
        expect(typeof answer.error?.message).toBe('string');
      }),
      { numRuns: 2_000 },
    );
    expect(await t.system.platform.store.headPosition()).toBe(head);
  });

  it('rejects malformed JSON, wrong content types, oversized bodies and unknown commands', async () => {
    await t.settle(); // the bot may still be answering the demo seed's visitor: its appends are not this test's
    const head = await t.system.platform.store.headPosition();
    const auth = { authorization: `Bearer ${emma.token}` };
    const cases: [string, RequestInit, number][] = [
      ['CreateUser', { body: '{"userId": ', headers: { ...auth, 'content-type': 'application/json' } }, 400],
      ['CreateUser', { body: 'userId=1', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } }, 415],
      ['CreateUser', { body: JSON.stringify({ name: 'x'.repeat(300_000) }), headers: { ...auth, 'content-type': 'application/json' } }, 413],
      ['NoSuchCommand', { body: '{}', headers: { ...auth, 'content-type': 'application/json' } }, 404],
      ['CreateUser', { body: JSON.stringify(valid.CreateUser!()), headers: { 'content-type': 'application/json', authorization: 'Bearer expired-or-forged-token-value' } }, 401],
    ];
    for (const [name, init, status] of cases) {
      const response = await fetch(`${t.url}/api/commands/${name}`, { method: 'POST', ...init });
      expect(response.status, `${name} ${init.body?.toString().slice(0, 30)}`).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBeTruthy();
    }
    expect(await t.system.platform.store.headPosition()).toBe(head);
  });
});
