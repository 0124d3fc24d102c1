import {
  CheckpointSigner,
  verifyLog,
  verifyStream,
  type ChainBreak,
  type CheckpointReport,
} from '@chat/events';
import { masterKey, type Logger, type Platform } from '@chat/platform';
import type { CommandBus } from '@chat/command-api';
import { allProjectors, ProjectionRunner, type ReadModels } from '@chat/projections';
import type { Kysely } from 'kysely';
import { recordCheckpointNow } from './checkpoint-job';
import { describeReplay, verifyReplay } from './replay-verify';

export interface AuditVerifyOptions {
  /** Only this stream (default: every stream of the log). */
  stream?: string;
  /** Sign a checkpoint of the current heads first. */
  checkpoint?: boolean;
  /** Also rebuild every read model and compare it with the live one. */
  replay?: boolean;
}

const describeBreak = (b: ChainBreak) =>
  `stream ${b.streamId} revision ${b.revision} (position ${b.position}, event ${b.eventId}): stored hash ${b.storedHash.slice(0, 16)}..., recomputed ${b.expectedHash.slice(0, 16)}...`;

function describeCheckpoints(report: CheckpointReport): string[] {
  const lines = [
    report.latest
      ? `signed checkpoints: ${report.valid} valid of ${report.events}; newest covers up to position ${report.latest.upToPosition} (${report.latest.eventCount} events, ${report.latest.recordedAt})`
      : 'signed checkpoints: none yet (a deleted tail cannot be detected before the first one)',
  ];
  if (report.unknownKey > 0) lines.push(`  ${report.unknownKey} signed under another secret: not checked`);
  for (const bad of report.invalid)
    lines.push(
      `  ALTERED checkpoint event ${bad.eventId} at position ${bad.position}: its signature does not match`,
    );
  for (const h of report.heads)
    lines.push(
      h.problem === 'tail-missing'
        ? `  TAIL MISSING: ${h.streamId} was signed at revision ${h.claimedRevision}, now ends at ${h.actualRevision ?? '(stream gone)'}`
        : `  HEAD DIFFERS: ${h.streamId} revision ${h.claimedRevision} was signed with hash ${h.claimedHash.slice(0, 16)}..., now ${h.actualHash?.slice(0, 16)}...`,
    );
  for (const c of report.counts)
    lines.push(
      `  COUNT: up to position ${c.upToPosition} ${c.claimed} events were signed, ${c.actual} are there now`,
    );
  return lines;
}

/**
 * `npm run audit:verify`: recomputes the hash chains (and optionally replays the read models);
 * answers the process exit code: 0 when everything verifies, 1 when anything does not.
 */
export async function runAuditVerify(
  platform: Platform,
  bus: CommandBus,
  logger: Logger,
  options: AuditVerifyOptions,
  write: (line: string) => void,
): Promise<number> {
  const signer = new CheckpointSigner(masterKey(platform.config));
  let ok = true;
  if (options.checkpoint) {
    const answer = await recordCheckpointNow(bus);
    write(
      answer.recorded
        ? `checkpoint signed: ${answer.heads} stream heads up to position ${answer.upToPosition}`
        : 'checkpoint: nothing new since the last one',
    );
  }
  if (options.stream) {
    const result = await verifyStream(platform.store, signer, options.stream);
    write(`${result.streamId}: ${result.events} events, ${result.firstBreak ? 'BROKEN' : 'chain intact'}`);
    if (result.firstBreak) write(`first broken link: ${describeBreak(result.firstBreak)}`);
    for (const line of describeCheckpoints(result.checkpoints)) write(line);
    ok = result.ok;
  } else {
    const started = Date.now();
    const result = await verifyLog(platform.store, signer, {
      onProgress: (events) => {
        if (events % 100_000 < 2_000) logger.info({ events }, 'verifying');
      },
    });
    const seconds = (Date.now() - started) / 1000;
    write(
      `${result.events} events in ${result.streams} streams, up to position ${result.upToPosition}, verified in ${seconds.toFixed(1)} s`,
    );
    if (result.firstBreak) {
      write(
        `BROKEN: ${result.brokenStreams} stream(s); first broken link: ${describeBreak(result.firstBreak)}`,
      );
      for (const b of result.breaks.slice(1)) write(`  also ${describeBreak(b)}`);
    } else write('every hash chain is intact');
    for (const line of describeCheckpoints(result.checkpoints)) write(line);
    ok = result.ok;
  }
  if (options.replay) {
    const db = platform.database.db as Kysely<ReadModels>;
    // The live read models first read the whole log, as the projections service would (its
    // advisory locks make that safe beside a running service); reactors are left alone.
    const runner = new ProjectionRunner({ db, store: platform.store, projectors: allProjectors, logger });
    await runner.migrate();
    await runner.catchUp();
    const replay = await verifyReplay({ db, store: platform.store, logger });
    for (const line of describeReplay(replay)) write(line);
    write(replay.equal ? 'every read model equals its replay' : 'READ MODELS DIFFER from their replay');
    ok &&= replay.equal;
  }
  write(ok ? 'OK' : 'VERIFICATION FAILED');
  return ok ? 0 : 1;
}
