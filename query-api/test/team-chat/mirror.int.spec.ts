import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { allProjectors, rebuildProjector, type ReadModels } from '@chat/projections';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are whatever the API sent */

/**
 * The query API keeps Team chat's channels and memberships in memory (TeamChatMirror) and reads
 * only the rows written since it last looked. These are the cases that reading could miss.
 */
describe("Team chat's channels and memberships in the query API's memory", () => {
  let t: TestSystem;
  let emma: ApiClient;
  let db: Kysely<ReadModels>;

  beforeAll(async () => {
    t = await startTestSystem();
    emma = await t.login('emma@demo.local');
    db = t.system.platform.database.db as Kysely<ReadModels>;
    await t.settle();
  });
  afterAll(async () => t?.close());

  const sidebar = async (client: ApiClient) => {
    const answer = await client.get('/api/channels');
    expect(answer.status).toBe(200);
    return answer.body.items as any[];
  };
  /** A change of the read model somewhere else, which the next poll brings in. */
  const somethingElseChanges = async () => {
    const channelId = randomUUID();
    expect(
      (
        await emma.command('CreateChannel', {
          channelId,
          name: `other-${channelId.slice(0, 6)}`,
          visibility: 'public',
        })
      ).status,
    ).toBe(200);
  };

  it('every change shows at once for its writer, and to others once projected', async () => {
    const channelId = randomUUID();
    const jamie = await t.login('jamie@demo.local');
    expect(
      (await emma.command('CreateChannel', { channelId, name: 'mirror-private', visibility: 'private' }))
        .status,
    ).toBe(200);
    expect((await sidebar(emma)).map((c) => c.id)).toContain(channelId);
    expect((await jamie.get(`/api/channels/${channelId}`)).status).toBe(404);

    const jamieId = jamie.user!.id;
    expect((await emma.command('AddChannelMember', { channelId, userId: jamieId })).status).toBe(200);
    jamie.lastPosition = emma.lastPosition;
    expect((await jamie.get(`/api/channels/${channelId}`)).status).toBe(200);
    expect(
      (await emma.command('PostMessage', { channelId, messageId: randomUUID(), body: 'one' })).status,
    ).toBe(200);
    jamie.lastPosition = emma.lastPosition;
    expect((await sidebar(jamie)).find((c) => c.id === channelId)).toMatchObject({
      unread: 1,
      isMember: true,
    });

    expect((await jamie.command('LeaveChannel', { channelId })).status).toBe(200);
    expect((await jamie.get(`/api/channels/${channelId}`)).status).toBe(404);
    expect((await sidebar(jamie)).map((c) => c.id)).not.toContain(channelId);
  });

  it('a rebuild swapped in replaces what it holds', async () => {
    const [general] = (await sidebar(emma)).filter((c) => c.kind === 'public');
    // A row changed behind the projector, stamped as if just written: the next look takes it in.
    await sql`UPDATE tc_channels SET name = 'changed by hand', written_at = 9000000000000000000
      WHERE id = ${general.id}`.execute(db);
    await somethingElseChanges();
    expect((await sidebar(emma)).find((c) => c.id === general.id)?.name).toBe('changed by hand');

    // The rebuilt tables stamp no row after what the copy has seen: it must notice they are new.
    const { store, logger } = t.system.platform;
    const teamChat = allProjectors.find((p) => p.name === 'team_chat')!;
    await rebuildProjector({ db, store, logger }, teamChat);
    await somethingElseChanges();
    expect((await sidebar(emma)).find((c) => c.id === general.id)?.name).toBe(general.name);
  });
});
