import type { EventStore } from '@chat/events';
import type { Logger } from '@chat/platform';
import { allProjectors, type Projector, type ReadModels } from '@chat/projections';
import { compareRebuildWithLive, type ProjectorComparison } from '@chat/projections/audit/replay-compare';
import type { Kysely } from 'kysely';

export interface ReplayVerification {
  equal: boolean;
  projectors: ProjectorComparison[];
}

/**
 * Replay verification: every read model rebuilt from the full history into scratch tables and
 * compared with the live one at the same log position. Any difference means a projector is not
 * a pure function of the history (or a live table was changed by hand).
 */
export async function verifyReplay(
  options: { db: Kysely<ReadModels>; store: EventStore; logger: Logger; waitMs?: number; keep?: boolean },
  projectors: readonly Projector[] = allProjectors,
): Promise<ReplayVerification> {
  const results: ProjectorComparison[] = [];
  for (const projector of projectors) results.push(await compareRebuildWithLive(options, projector));
  return { equal: results.every((r) => r.equal), projectors: results };
}

/** Human-readable lines of a replay verification. */
export function describeReplay(result: ReplayVerification): string[] {
  const lines: string[] = [];
  for (const p of result.projectors) {
    const verdict = p.equal ? 'same as live' : 'DIFFERENT';
    lines.push(
      `${p.projector.padEnd(16)} ${verdict} at position ${p.position} (${p.events} events replayed in ${p.seconds.toFixed(1)} s)`,
    );
    if (p.problem) lines.push(`  ${p.problem}`);
    for (const t of p.tables) {
      if (t.equal) {
        lines.push(`  ${t.table.padEnd(28)} ${t.liveRows} rows, checksum ${t.liveChecksum}`);
        continue;
      }
      lines.push(
        `  ${t.table.padEnd(28)} live ${t.liveRows} rows / ${t.liveChecksum}, rebuilt ${t.rebuiltRows} rows / ${t.rebuiltChecksum}`,
      );
      for (const row of t.onlyLive) lines.push(`    only live:    ${row}`);
      for (const row of t.onlyRebuilt) lines.push(`    only rebuilt: ${row}`);
    }
  }
  return lines;
}
