import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpServer, type HttpServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';

const Item = z.object({
  id: z.uuid(),
  name: z.string(),
  note: z.string().nullable(),
  quote: z.object({ text: z.string(), by: z.uuid().nullable() }).nullable(),
  kind: z.enum(['public', 'dm']).nullable(),
  width: z.number().optional(),
  tags: z.array(z.object({ emoji: z.string(), count: z.number() })),
});
const id = '0b9f5a34-3c1e-4c2b-9a55-2a8f0d2c1e11';

describe('answers written from their schema', () => {
  let app: HttpServer;
  const answers: Record<string, unknown> = {
    full: {
      id,
      name: 'a "quoted" <b>name</b>',
      note: 'n',
      quote: { text: 'q', by: id, secret: 'x' },
      kind: 'dm',
      width: 3,
      tags: [{ emoji: '👍', count: 2 }],
    },
    leaky: {
      id,
      name: 'b',
      note: null,
      quote: { text: 'q', by: null, secret: 'x' },
      kind: null,
      tags: [],
      passwordHash: 'argon2...',
      token: 't',
    },
    missing: { id, note: null, quote: null, kind: null, tags: [] },
  };

  beforeAll(async () => {
    app = await createHttpServer({
      logger: createLogger('silent'),
      title: 'test',
      readiness: async () => {},
    });
    app.get(
      '/item/:which',
      { schema: { response: { 200: Item } } },
      async (request) => answers[(request.params as { which: string }).which] as never,
    );
    const Either = z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]);
    app.get('/either', { schema: { response: { 200: Either } } }, async () => ({ b: 'kept' }) as never);
    await app.ready();
  });
  afterAll(() => app.close());

  it('writes what the schema declares, as JSON.stringify would', async () => {
    const answer = await app.inject('/item/full');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ ...(answers.full as object), quote: { text: 'q', by: id } });
  });

  it('never writes a field the schema does not declare, at any depth', async () => {
    const answer = await app.inject('/item/leaky');
    expect(answer.statusCode).toBe(200);
    expect(answer.body).not.toMatch(/passwordHash|argon2|token/);
    expect(answer.json()).toEqual({
      id,
      name: 'b',
      note: null,
      quote: { text: 'q', by: null },
      kind: null,
      tags: [],
    });
    expect((await app.inject('/item/full')).body).not.toContain('secret');
  });

  it('writes a union in the shape that fits', async () => {
    expect((await app.inject('/either')).json()).toEqual({ b: 'kept' });
  });

  it('fails with the JSON error shape, not half an answer, when a required field is missing', async () => {
    const answer = await app.inject('/item/missing');
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toMatchObject({ error: { code: expect.any(String) } });
  });
});
