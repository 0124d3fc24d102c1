import { randomUUID } from 'node:crypto';
import { demoUserId } from '@chat/app';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamChatCommands } from '../../src/team-chat/commands';

/* eslint-disable @typescript-eslint/no-explicit-any -- payloads are deliberately anything */

const schemas = new Map(teamChatCommands.map((c) => [c.name, c.body]));

/** A valid body per command (as far as its schema goes); each generated case breaks it. */
const valid: Record<string, () => Record<string, unknown>> = {
  CreateChannel: () => ({
    channelId: randomUUID(),
    name: `fine-${randomUUID().slice(0, 8)}`,
    visibility: 'public',
    description: 'ok',
  }),
  JoinChannel: () => ({ channelId: randomUUID() }),
  LeaveChannel: () => ({ channelId: randomUUID() }),
  AddChannelMember: () => ({ channelId: randomUUID(), userId: randomUUID() }),
  DeleteChannel: () => ({ channelId: randomUUID() }),
  OpenDirectMessage: () => ({ userId: randomUUID() }),
  PostMessage: () => ({
    channelId: randomUUID(),
    messageId: randomUUID(),
    body: 'hello',
    quotedMessageId: randomUUID(),
    attachmentIds: [randomUUID()],
  }),
  EditMessage: () => ({ messageId: randomUUID(), body: 'edited' }),
  DeleteMessage: () => ({ messageId: randomUUID() }),
  ReactToMessage: () => ({ messageId: randomUUID(), emoji: '👍' }),
  RemoveReaction: () => ({ messageId: randomUUID(), emoji: '🎉' }),
  MarkChannelRead: () => ({ channelId: randomUUID(), messageId: randomUUID() }),
  MuteChannel: () => ({ channelId: randomUUID() }),
  UnmuteChannel: () => ({ channelId: randomUUID() }),
};

const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.integer()), { maxLength: 12 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  fc.string({ minLength: 10_001, maxLength: 10_050 }),
  fc.constantFrom(
    '\u0000',
    '   ',
    '',
    '🦄',
    'not-a-uuid',
    '00000000-0000-0000-0000-00000000000g',
    '<script>alert(1)</script>',
  ),
  fc.uuid().map((u) => u.toUpperCase() + 'x'),
);

type Mutation = { kind: 'drop' | 'retype' | 'extra' | 'not-object'; field: number; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('drop', 'retype', 'extra', 'not-object'),
  field: fc.nat(),
  value: wrongValue,
});

/** Breaks the body one way; if the result still passes the command's own schema, breaks it for sure. */
function breakBody(name: string, body: Record<string, unknown>, m: Mutation): unknown {
  const keys = Object.keys(body);
  const key = keys[m.field % keys.length]!;
  let broken: unknown;
  switch (m.kind) {
    case 'drop': {
      const { [key]: _dropped, ...rest } = body;
      broken = rest;
      break;
    }
    case 'retype':
      broken = { ...body, [key]: m.value };
      break;
    case 'extra':
      broken = { ...body, [`unknown_${m.field}`]: m.value };
      break;
    case 'not-object':
      broken =
        Array.isArray(m.value) || typeof m.value !== 'object' || m.value === null ? m.value : [m.value];
  }
  // judged as the server will see it: JSON turns NaN and Infinity into null, which may be valid
  const sent: unknown = JSON.parse(JSON.stringify(broken) ?? 'null');
  return schemas.get(name)!.safeParse(sent).success
    ? { ...(sent as object), [`extra_${m.field}`]: true }
    : sent;
}

describe('bad Team chat commands: a 4xx with the error shape, and nothing appended', () => {
  let t: TestSystem;
  let emma: ApiClient;
  let jamie: ApiClient;
  // Fresh sessions now and then, so the per-session rate limit never answers instead of the rules.
  const tokens = { emma: '', jamie: '', used: 0 };
  async function tokenOf(who: 'emma' | 'jamie'): Promise<string> {
    if (tokens.used++ % 400 === 0) {
      tokens.emma = (await t.system.platform.sessions.create(demoUserId('emma'), 'SUPER_ADMIN')).token;
      tokens.jamie = (await t.system.platform.sessions.create(demoUserId('jamie'), 'USER')).token;
    }
    return tokens[who];
  }
  async function send(who: 'emma' | 'jamie' | 'none', name: string, body: unknown) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (who !== 'none') headers.authorization = `Bearer ${await tokenOf(who)}`;
    const response = await fetch(`${t.url}/api/commands/${name}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  // The stage: a private channel Jamie is not in, a public one Jamie has not joined, Jamie's own, a deleted one.
  const ids = {
    privateChannel: randomUUID(),
    publicChannel: randomUUID(),
    jamiesChannel: randomUUID(),
    deletedChannel: randomUUID(),
  };
  const messages = { inPrivate: randomUUID(), inPublic: randomUUID(), inJamies: randomUUID() };

  beforeAll(async () => {
    t = await startTestSystem();
    [emma, jamie] = await Promise.all([t.login('emma@demo.local'), t.login('jamie@demo.local')]);
    const ok = (answer: { status: number; body: unknown }) =>
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    ok(
      await emma.command('CreateChannel', {
        channelId: ids.privateChannel,
        name: `hidden-${randomUUID().slice(0, 6)}`,
        visibility: 'private',
      }),
    );
    ok(
      await emma.command('CreateChannel', {
        channelId: ids.publicChannel,
        name: `open-${randomUUID().slice(0, 6)}`,
        visibility: 'public',
      }),
    );
    ok(
      await jamie.command('CreateChannel', {
        channelId: ids.jamiesChannel,
        name: `jamies-${randomUUID().slice(0, 6)}`,
        visibility: 'public',
      }),
    );
    ok(
      await jamie.command('CreateChannel', {
        channelId: ids.deletedChannel,
        name: `gone-${randomUUID().slice(0, 6)}`,
        visibility: 'public',
      }),
    );
    ok(await jamie.command('DeleteChannel', { channelId: ids.deletedChannel }));
    ok(
      await emma.command('PostMessage', {
        channelId: ids.privateChannel,
        messageId: messages.inPrivate,
        body: 'private',
      }),
    );
    ok(
      await emma.command('PostMessage', {
        channelId: ids.publicChannel,
        messageId: messages.inPublic,
        body: 'public',
      }),
    );
    ok(await emma.command('JoinChannel', { channelId: ids.jamiesChannel }));
    ok(
      await emma.command('PostMessage', {
        channelId: ids.jamiesChannel,
        messageId: messages.inJamies,
        body: "in Jamie's",
      }),
    );
  });
  afterAll(async () => t?.close());

  it('rejects thousands of generated payloads that break the schemas', async () => {
    await t.settle(); // the bot may still be answering the demo seed's visitor: its appends are not this test's
    const head = await t.system.platform.store.headPosition();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(valid)),
        mutation,
        fc.constantFrom('emma', 'jamie', 'none') as fc.Arbitrary<'emma' | 'jamie' | 'none'>,
        async (name, m, who) => {
          const answer = await send(who, name, breakBody(name, valid[name]!(), m));
          // Without a session the schema may still answer first (fastify validates before preHandlers).
          expect(who === 'none' ? [400, 401] : [400], JSON.stringify(answer.body)).toContain(answer.status);
          expect(typeof answer.body.error?.code).toBe('string');
          expect(typeof answer.body.error?.message).toBe('string');
        },
      ),
      { numRuns: 2_500 },
    );
    expect(await t.system.platform.store.headPosition()).toBe(head);
  });

  it('rejects well-formed commands the rules refuse: 404 for what Jamie may not see, 403/409/400 for the rest', async () => {
    await t.settle(); // the bot may still be answering the demo seed's visitor: its appends are not this test's
    const head = await t.system.platform.store.headPosition();
    const id = fc.uuid({ version: 4 });
    const refused: fc.Arbitrary<[string, Record<string, unknown>, number]> = fc.oneof(
      id.map(
        (m) =>
          ['PostMessage', { channelId: ids.privateChannel, messageId: m, body: 'hi' }, 404] as [
            string,
            Record<string, unknown>,
            number,
          ],
      ),
      fc
        .tuple(id, id)
        .map(
          ([c, m]) =>
            ['PostMessage', { channelId: c, messageId: m, body: 'hi' }, 404] as [
              string,
              Record<string, unknown>,
              number,
            ],
        ),
      id.map(
        (m) =>
          ['PostMessage', { channelId: ids.deletedChannel, messageId: m, body: 'hi' }, 404] as [
            string,
            Record<string, unknown>,
            number,
          ],
      ),
      id.map(
        (m) =>
          ['PostMessage', { channelId: ids.publicChannel, messageId: m, body: 'hi' }, 403] as [
            string,
            Record<string, unknown>,
            number,
          ],
      ),
      id.map(
        (m) =>
          [
            'PostMessage',
            { channelId: ids.jamiesChannel, messageId: m, body: 'hi', quotedMessageId: messages.inPublic },
            400,
          ] as [string, Record<string, unknown>, number],
      ),
      fc
        .tuple(id, id)
        .map(
          ([m, a]) =>
            [
              'PostMessage',
              { channelId: ids.jamiesChannel, messageId: m, body: 'hi', attachmentIds: [a] },
              400,
            ] as [string, Record<string, unknown>, number],
        ),
      fc.constant([
        'PostMessage',
        { channelId: ids.jamiesChannel, messageId: messages.inJamies, body: 'taken id' },
        409,
      ] as [string, Record<string, unknown>, number]),
      fc
        .constantFrom(messages.inPrivate, randomUUID())
        .map(
          (m) =>
            ['EditMessage', { messageId: m, body: 'x' }, 404] as [string, Record<string, unknown>, number],
        ),
      fc.constant(['EditMessage', { messageId: messages.inJamies, body: 'not mine' }, 403] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      fc.constant(['DeleteMessage', { messageId: messages.inPublic }, 403] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      fc.constant(['DeleteMessage', { messageId: messages.inPrivate }, 404] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      fc.constant(['ReactToMessage', { messageId: messages.inPrivate, emoji: '👍' }, 404] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      fc.constant(['ReactToMessage', { messageId: messages.inPublic, emoji: '👀' }, 403] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      fc.constant(['RemoveReaction', { messageId: messages.inPrivate, emoji: '👍' }, 404] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      fc
        .constantFrom(ids.privateChannel, ids.deletedChannel, randomUUID())
        .chain((c) =>
          fc
            .constantFrom(
              'JoinChannel',
              'LeaveChannel',
              'DeleteChannel',
              'MuteChannel',
              'UnmuteChannel',
              'MarkChannelRead',
            )
            .map((name) => [name, { channelId: c }, 404] as [string, Record<string, unknown>, number]),
        ),
      fc
        .constantFrom('MuteChannel', 'MarkChannelRead', 'DeleteChannel')
        .map(
          (name) =>
            [name, { channelId: ids.publicChannel }, 403] as [string, Record<string, unknown>, number],
        ),
      fc.constant([
        'MarkChannelRead',
        { channelId: ids.jamiesChannel, messageId: messages.inPublic },
        404,
      ] as [string, Record<string, unknown>, number]),
      fc.constant([
        'AddChannelMember',
        { channelId: ids.privateChannel, userId: demoUserId('jamie') },
        404,
      ] as [string, Record<string, unknown>, number]),
      fc.constant([
        'AddChannelMember',
        { channelId: ids.publicChannel, userId: demoUserId('morgan') },
        403,
      ] as [string, Record<string, unknown>, number]),
      id.map(
        (u) =>
          ['AddChannelMember', { channelId: ids.jamiesChannel, userId: u }, 404] as [
            string,
            Record<string, unknown>,
            number,
          ],
      ),
      fc.constant(['OpenDirectMessage', { userId: demoUserId('jamie') }, 400] as [
        string,
        Record<string, unknown>,
        number,
      ]),
      id.map((u) => ['OpenDirectMessage', { userId: u }, 404] as [string, Record<string, unknown>, number]),
      fc
        .tuple(id, fc.constantFrom('general', 'General', '  GENERAL  ', 'ops', 'Proj 014'))
        .map(
          ([c, name]) =>
            ['CreateChannel', { channelId: c, name, visibility: 'private' }, 409] as [
              string,
              Record<string, unknown>,
              number,
            ],
        ),
      fc.constant([
        'CreateChannel',
        { channelId: ids.jamiesChannel, name: 'another-name', visibility: 'public' },
        409,
      ] as [string, Record<string, unknown>, number]),
    );
    await fc.assert(
      fc.asyncProperty(refused, async ([name, body, status]) => {
        const answer = await send('jamie', name, body);
        expect(answer.status, `${name} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`).toBe(status);
        expect(typeof answer.body.error?.code).toBe('string');
      }),
      { numRuns: 1_000 },
    );
    expect(await t.system.platform.store.headPosition()).toBe(head);
  });
});
