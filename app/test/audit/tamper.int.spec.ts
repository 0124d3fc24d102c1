import { spawn } from 'node:child_process';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { demoChannelId } from '@chat/app/seed/team-chat';
import { onRealPostgres } from '@chat/platform/testing/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCheckpointNow } from '../../src/audit/checkpoint-job';
import { runAuditVerify } from '../../src/audit/verify-command';

let t: TestSystem;
let ada: ApiClient;
const general = `channel-${demoChannelId('general')}`;

beforeAll(async () => {
  t = await startTestSystem();
  await t.settle();
  ada = await t.login('ada@demo.local');
});
afterAll(() => t?.close());

/** What someone with write access to the database could do: the append-only trigger is theirs to switch off. */
async function behindTheStoresBack(statement: string, params: unknown[]): Promise<void> {
  const pool = t.system.platform.database.pool;
  await pool.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
  try {
    await pool.query(statement, params);
  } finally {
    await pool.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
  }
}

async function verifyCli(): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await runAuditVerify(t.system.platform, t.system.bus, t.system.platform.logger, {}, (line) =>
    lines.push(line),
  );
  return { code, output: lines.join('\n') };
}

describe('tamper evidence', () => {
  it('the append-only trigger refuses edits made through the normal path', async () => {
    await expect(
      t.system.platform.database.pool.query(`UPDATE events SET data = data WHERE stream_id = $1`, [general]),
    ).rejects.toThrow(/append-only/);
  });

  it('one event edited in the database: verification fails at exactly that event, and passes again once it is restored', async () => {
    const history = (await ada.get(`/api/audit/streams/${general}`)).body.items;
    const target = history[2]; // a ChannelJoined in the middle of the stream
    const { rows } = await t.system.platform.database.pool.query(
      'SELECT data FROM events WHERE event_id = $1',
      [target.id],
    );
    const original = rows[0].data;
    await behindTheStoresBack(
      `UPDATE events SET data = jsonb_set(data, '{userId}', to_jsonb($1::text)) WHERE event_id = $2`,
      ['00000000-0000-4000-8000-00000000beef', target.id],
    );
    try {
      const all = await ada.get('/api/audit/verify');
      expect(all.body).toMatchObject({ ok: false, brokenStreams: 1 });
      expect(all.body.firstBreak).toMatchObject({
        streamId: general,
        revision: '2',
        eventId: target.id,
        position: target.position,
      });
      const one = await ada.get(`/api/audit/verify?stream=${general}`);
      expect(one.body.firstBreak).toMatchObject({ revision: '2', eventId: target.id });
      expect(one.body.firstBreak.storedHash).toBe(target.metadata.hash);
      const cli = await verifyCli();
      expect(cli.code).toBe(1);
      expect(cli.output).toContain(
        `first broken link: stream ${general} revision 2 (position ${target.position}, event ${target.id})`,
      );
    } finally {
      await behindTheStoresBack('UPDATE events SET data = $1 WHERE event_id = $2', [original, target.id]);
    }
    expect((await ada.get('/api/audit/verify')).body.ok).toBe(true);
    expect((await verifyCli()).code).toBe(0);
  });

  it("a stream's tail deleted after a signed checkpoint is found, though what is left is a valid chain", async () => {
    const signed = await recordCheckpointNow(t.system.bus);
    expect(signed).toMatchObject({ recorded: true });
    const history = (await ada.get(`/api/audit/streams/${general}`)).body.items;
    const last = history[history.length - 1];
    await behindTheStoresBack('DELETE FROM events WHERE event_id = $1', [last.id]);
    const one = await ada.get(`/api/audit/verify?stream=${general}`);
    expect(one.body.firstBreak).toBeNull();
    expect(one.body.ok).toBe(false);
    expect(one.body.checkpoints.heads).toEqual([
      expect.objectContaining({
        streamId: general,
        problem: 'tail-missing',
        claimedRevision: last.revision,
        actualRevision: String(history.length - 2),
      }),
    ]);
    const all = await ada.get('/api/audit/verify');
    expect(all.body.ok).toBe(false);
    expect(all.body.checkpoints.counts).toEqual([
      expect.objectContaining({ actual: Number(signed.eventCount) - 1, claimed: Number(signed.eventCount) }),
    ]);
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`TAIL MISSING: ${general} was signed at revision ${last.revision}`);
  });

  it.runIf(onRealPostgres())('npm run audit:verify exits non-zero on a broken history', async () => {
    const config = t.system.platform.config;
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/cli/audit-verify.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: config.DATABASE_URL!,
          EVENT_STORE: 'postgres',
          DATA_KEY_SECRET: config.DATA_KEY_SECRET!,
          LOG_LEVEL: 'error',
        },
      });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(run.out).toContain('TAIL MISSING');
    expect(run.out).toContain('VERIFICATION FAILED');
    expect(run.code).toBe(1);
  });
});
