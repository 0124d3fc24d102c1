import { startTestSystem, type ApiClient, type TestSystem } from '../../src/testing/test-system';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Operation {
  method: string;
  path: string;
}

/** JSON nested `depth` levels deep, built as text (a value that deep would overflow the stack here). */
const deeplyNested = (depth: number): string => `${'{"a":['.repeat(depth)}"x"${']}'.repeat(depth)}`;

/** Bodies no endpoint should accept: random JSON, huge or deeply nested values, broken text. */
const rawBody: fc.Arbitrary<{ text: string | Buffer; type: string }> = fc.oneof(
  fc.jsonValue().map((v) => ({ text: JSON.stringify(v) ?? 'null', type: 'application/json' })),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 6 }).map((v) => ({ text: JSON.stringify(v), type: 'application/json' })),
  fc.integer({ min: 50, max: 20_000 }).map((d) => ({ text: deeplyNested(d), type: 'application/json' })),
  fc.integer({ min: 1, max: 3 }).map((n) => ({ text: JSON.stringify({ body: 'x'.repeat(n * 200_000) }), type: 'application/json' })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ text: Buffer.from([0xff, 0xfe, ...bytes]), type: 'application/json' })),
  fc.string().map((s) => ({ text: s, type: 'text/plain' })),
  fc.string().map((s) => ({ text: `--x\r\n${s}`, type: 'multipart/form-data; boundary=x' })),
  fc.constantFrom("'; DROP TABLE events; --", '<script>alert(1)</script>', '../../../../etc/passwd', '{"__proto__":{"admin":true}}').map((s) => ({
    text: s.startsWith('{') ? s : JSON.stringify({ name: s, body: s, channelId: s }),
    type: 'application/json',
  })),
);

const queryString = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('after', 'before', 'limit', 'q', 'status', 'stream', 'type', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 3 }).map(
    (d) => `?${new URLSearchParams(d).toString()}`,
  ),
  fc.constant('?limit=-1&after=99999999999999999999999999'),
  fc.constant('?%ff%fe=%c3%28'),
);

const pathValue = fc.oneof(fc.uuid(), fc.string({ maxLength: 30 }).map(encodeURIComponent), fc.constant('..%2F..%2Fetc%2Fpasswd'), fc.constant('00000000-0000-0000-0000-000000000000'));

describe('fuzzing every endpoint the API documents', () => {
  let t: TestSystem;
  let clients: (ApiClient | null)[];
  let operations: Operation[];
  beforeAll(async () => {
    t = await startTestSystem();
    clients = [null, await t.login('emma@demo.local'), await t.login('jamie@demo.local'), await t.login('mitch@demo.local')];
    const docs = (await t.anonymous.request('GET', '/api/docs/json')).body as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(docs.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
  });
  afterAll(async () => t?.close());

  it('never answers 5xx, never appends an event, and the process stays healthy', async () => {
    expect(operations.length).toBeGreaterThan(5);
    await t.settle();
    const head = await t.system.platform.store.headPosition();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(3), rawBody, queryString, pathValue, async (which, who, body, query, value) => {
        const operation = operations[which % operations.length]!;
        if (operation.path.startsWith('/api/auth/logout')) return;
        const client = clients[who];
        const url = `${t.url}${operation.path.replace(/\{[^}]+\}/g, value)}${query}`;
        const headers: Record<string, string> = {};
        if (client?.token) headers.authorization = `Bearer ${client.token}`;
        const init: RequestInit = { method: operation.method, headers };
        if (operation.method !== 'GET' && operation.method !== 'HEAD') {
          headers['content-type'] = body.type;
          init.body = body.text;
        }
        const response = await fetch(url, init);
        await response.arrayBuffer();
        expect(response.status, `${operation.method} ${url}`).toBeLessThan(500);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 1_500) },
    );
    // reading the audit trail is itself recorded; nothing else may have been appended
    const appended = await t.system.platform.store.readAll(head, 10_000);
    expect(appended.filter((e) => e.type !== 'AuditQueryPerformed').map((e) => `${e.type} ${e.metadata.command}`)).toEqual([]);
    expect((await t.anonymous.request('GET', '/health')).status).toBe(200);
    expect((await (await t.login('emma@demo.local')).get('/api/me')).status).toBe(200);
  });
});
