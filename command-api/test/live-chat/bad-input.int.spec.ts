import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type Answer, type TestSystem } from '@chat/app/testing/test-system';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshIp, startVisitor, type Visitor } from '@chat/app/live-chat/testing';

type Kind =
  | { kind: 'uuid' }
  | { kind: 'text'; max: number }
  | { kind: 'email' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'key' };
type Field = Kind & { name: string; required: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuid = (name: string, required = true): Field => ({ name, kind: 'uuid', required });
const text = (name: string, max: number, required = true): Field => ({ name, kind: 'text', max, required });

/** A value that the field's schema refuses. */
function badValue(field: Field): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  );
  switch (field.kind) {
    case 'uuid':
      return fc.oneof(
        wrongType,
        fc.string({ maxLength: 40 }).filter((s) => !UUID.test(s)),
      );
    case 'text':
      return fc.oneof(
        wrongType,
        fc.constantFrom('', '   ', '\n\t'),
        fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
        fc.constant('x'.repeat(field.max + 1)),
      );
    case 'email':
      return fc.oneof(
        wrongType,
        fc.string({ maxLength: 30 }).filter((s) => !s.includes('@') && s !== ''),
      );
    case 'enum':
      return fc.oneof(
        wrongType,
        fc.string({ maxLength: 12 }).filter((s) => !field.values.includes(s)),
      );
    case 'key':
      return fc.oneof(
        wrongType,
        fc.string({ maxLength: 70 }).filter((s) => s !== 'demo'),
      );
  }
}

function validValue(field: Field): unknown {
  switch (field.kind) {
    case 'uuid':
      return randomUUID();
    case 'text':
      return 'fine';
    case 'email':
      return 'a@b.io';
    case 'enum':
      return field.values[0];
    case 'key':
      return 'demo';
  }
}

/** Bodies a schema must refuse: not an object, a required field missing, a field of the wrong kind, an unknown field. */
function badBody(fields: Field[]): fc.Arbitrary<unknown> {
  const valid = () =>
    Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.name, validValue(f)]));
  const required = fields.filter((f) => f.required).map((f) => f.name);
  const names = new Set(fields.map((f) => f.name));
  const options: fc.Arbitrary<unknown>[] = [
    fc.oneof(
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.anything(), { maxLength: 3 }),
    ),
    fc.constantFrom(...fields).chain((f) => badValue(f).map((v) => ({ ...valid(), [f.name]: v }))),
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !names.has(k) && k !== '__proto__'),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([k, v]) => ({ ...valid(), [k]: v })),
  ];
  if (required.length > 0)
    options.push(
      fc
        .constantFrom(...required)
        .map((name) => Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== name))),
    );
  return fc.oneof(...options);
}

const COMMANDS: Record<string, Field[]> = {
  AssignSession: [uuid('sessionId'), uuid('agentId')],
  JoinSession: [uuid('sessionId')],
  ReleaseSession: [uuid('sessionId')],
  PostAgentMessage: [uuid('sessionId'), uuid('messageId'), text('body', 4_000)],
  CloseSession: [uuid('sessionId')],
  LinkSessionToTicket: [uuid('sessionId'), uuid('ticketId')],
  CreateTicket: [
    uuid('ticketId'),
    text('subject', 200),
    text('requesterName', 80, false),
    { name: 'requesterEmail', kind: 'email', required: false },
  ],
  ChangeTicketStatus: [
    uuid('ticketId'),
    { name: 'status', kind: 'enum', values: ['open', 'pending', 'solved'], required: true },
  ],
  AddTicketComment: [uuid('ticketId'), uuid('commentId'), text('body', 10_000)],
  PublishArticle: [uuid('articleId'), text('title', 200), text('body', 20_000)],
  UpdateArticle: [uuid('articleId'), text('title', 200, false), text('body', 20_000, false)],
  ArchiveArticle: [uuid('articleId')],
};

describe('bad input to the Live chat commands and the widget: always a 4xx, never an event', () => {
  let t: TestSystem;
  let emma: ApiClient;
  let visitor: Visitor;
  let head: bigint;

  const expectRefused = async (answer: Answer, label: string) => {
    expect(answer.status, `${label}: ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(400);
    expect(answer.status, label).toBeLessThan(500);
    expect(answer.body?.error?.code, label).toBeTruthy();
    expect(await t.system.platform.store.headPosition(), label).toBe(head);
  };

  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
    visitor = await startVisitor(t);
    await t.settle();
    head = await t.system.platform.store.headPosition();
  }, 180_000);
  afterAll(async () => t?.close());

  it('staff commands refuse malformed bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...Object.keys(COMMANDS))
          .chain((name) => badBody(COMMANDS[name]!).map((body) => [name, body] as const)),
        async ([name, body]) => {
          await expectRefused(await emma.command(name, body), `${name} ${JSON.stringify(body)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('LinkSessionToTicket refuses half-made new tickets too', async () => {
    const newTicket: Field[] = [uuid('ticketId'), text('subject', 200)];
    await fc.assert(
      fc.asyncProperty(badBody(newTicket), async (ticket) => {
        await expectRefused(
          await emma.command('LinkSessionToTicket', { sessionId: visitor.sessionId, newTicket: ticket }),
          JSON.stringify(ticket),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('starting a widget session refuses malformed bodies', async () => {
    const fields: Field[] = [
      text('name', 80),
      { name: 'email', kind: 'email', required: false },
      { name: 'widgetKey', kind: 'key', required: true },
    ];
    await fc.assert(
      fc.asyncProperty(badBody(fields), async (body) => {
        await expectRefused(
          await t.anonymous.request('POST', '/api/widget/sessions', body, { 'x-forwarded-for': freshIp() }),
          JSON.stringify(body),
        );
      }),
      { numRuns: 120 },
    );
  });

  it("a visitor's messages, closing and solving refuse malformed bodies", async () => {
    const base = `/api/widget/sessions/${visitor.sessionId}`;
    const extraKey = fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '__proto__'),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([k, v]) => ({ [k]: v }));
    const notAnObject = fc.oneof(
      fc.integer(),
      fc.string({ minLength: 1 }),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
    );
    const requests = fc.oneof(
      badBody([uuid('messageId'), text('body', 4_000)]).map((body) => [`${base}/messages`, body] as const),
      fc.oneof(extraKey, notAnObject).map((body) => [`${base}/close`, body] as const),
      fc
        .oneof(extraKey, notAnObject)
        .map((body) => [`${base}/suggestions/${randomUUID()}/solved`, body] as const),
      fc
        .string({ minLength: 1, maxLength: 30 })
        .filter((s) => !UUID.test(s) && !/[/?#%]/.test(s))
        .map((s) => [`${base}/suggestions/${encodeURIComponent(s)}/solved`, {}] as const),
    );
    await fc.assert(
      fc.asyncProperty(requests, async ([path, body]) => {
        await expectRefused(await visitor.post(path, body), `${path} ${JSON.stringify(body)}`);
      }),
      { numRuns: 200 },
    );
    expect((await visitor.view()).body.status).toBe('WAITING');
  });
});
