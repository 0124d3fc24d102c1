import type { EventStore } from '../store/event-store';
import { chainHash, GENESIS_HASH, verifyChain, type ChainBreak } from '../store/hash-chain';
import { START, type StoredRecord } from '../store/types';
import { CHAIN_CHECKPOINT_STREAM, type ChainCheckpointData } from './events';
import type { CheckpointSigner } from './signing';

export interface HeadClaim {
  revision: bigint;
  hash: string;
  checkpointId: string;
}

/** What the signed checkpoints claim, and which of them could not be trusted. */
export interface CheckpointClaims {
  /** Checkpoint events read. */
  events: number;
  valid: number;
  /** Altered or forged checkpoint events (their signature does not match). */
  invalid: { eventId: string; position: bigint; checkpointId: string }[];
  /** Signed under another deployment secret: cannot be checked here. */
  unknownKey: number;
  /** The newest claimed head of each stream (an older claim is implied by the chain). */
  heads: Map<string, HeadClaim>;
  /** Events and streams each checkpoint counted up to its position. */
  counts: { checkpointId: string; upTo: bigint; eventCount: number }[];
  /** The newest trustworthy checkpoint. */
  latest: LatestCheckpoint | null;
}

export interface LatestCheckpoint {
  checkpointId: string;
  upToPosition: bigint;
  eventCount: number;
  streamCount: number;
  recordedAt: string;
}

export interface HeadFinding {
  streamId: string;
  checkpointId: string;
  claimedRevision: bigint;
  claimedHash: string;
  /** The stream's last revision now (null: the stream is gone), or the hash found at the claimed revision. */
  actualRevision: bigint | null;
  actualHash: string | null;
  problem: 'tail-missing' | 'head-differs';
}

export interface CountFinding {
  checkpointId: string;
  upToPosition: bigint;
  claimed: number;
  actual: number;
}

export interface CheckpointReport {
  latest: LatestCheckpoint | null;
  events: number;
  valid: number;
  invalid: CheckpointClaims['invalid'];
  unknownKey: number;
  heads: HeadFinding[];
  counts: CountFinding[];
}

export interface LogVerification {
  ok: boolean;
  events: number;
  streams: number;
  /** Position of the last event verified. */
  upToPosition: bigint;
  /** The earliest broken link in the whole log, by position. */
  firstBreak: ChainBreak | null;
  /** The first broken link of each broken stream (at most `maxBreaks`), in position order. */
  breaks: ChainBreak[];
  brokenStreams: number;
  checkpoints: CheckpointReport;
}

export interface StreamVerification {
  ok: boolean;
  streamId: string;
  events: number;
  head: { revision: bigint; hash: string } | null;
  firstBreak: ChainBreak | null;
  checkpoints: CheckpointReport;
}

/** Reads the signed checkpoints and keeps what the trustworthy ones claim. */
export async function loadCheckpointClaims(
  store: EventStore,
  signer: CheckpointSigner,
): Promise<CheckpointClaims> {
  const records = await store.readStoredStream(CHAIN_CHECKPOINT_STREAM);
  const claims: CheckpointClaims = {
    events: 0,
    valid: 0,
    invalid: [],
    unknownKey: 0,
    heads: new Map(),
    counts: [],
    latest: null,
  };
  const counted = new Set<string>();
  for (const record of records) {
    if (record.type !== 'ChainCheckpointRecorded') continue;
    claims.events++;
    const data = record.data as ChainCheckpointData;
    const verdict = signer.check(data);
    if (verdict === 'unknown-key') claims.unknownKey++;
    if (verdict === 'invalid')
      claims.invalid.push({
        eventId: record.id,
        position: record.position,
        checkpointId: String(data.checkpointId),
      });
    if (verdict !== 'valid') continue;
    claims.valid++;
    claims.latest = {
      checkpointId: data.checkpointId,
      upToPosition: BigInt(data.upToPosition),
      eventCount: data.eventCount,
      streamCount: data.streamCount,
      recordedAt: record.metadata.recordedAt,
    };
    for (const head of data.heads) {
      const revision = BigInt(head.revision);
      const known = claims.heads.get(head.streamId);
      if (!known || known.revision <= revision)
        claims.heads.set(head.streamId, { revision, hash: head.hash, checkpointId: data.checkpointId });
    }
    if (!counted.has(data.checkpointId)) {
      counted.add(data.checkpointId);
      claims.counts.push({
        checkpointId: data.checkpointId,
        upTo: BigInt(data.upToPosition),
        eventCount: data.eventCount,
      });
    }
  }
  claims.counts.sort((a, b) => (a.upTo < b.upTo ? -1 : a.upTo > b.upTo ? 1 : 0));
  return claims;
}

function emptyReport(claims: CheckpointClaims): CheckpointReport {
  return {
    latest: claims.latest,
    events: claims.events,
    valid: claims.valid,
    invalid: claims.invalid,
    unknownKey: claims.unknownKey,
    heads: [],
    counts: [],
  };
}

const reportOk = (report: CheckpointReport) =>
  report.invalid.length === 0 && report.heads.length === 0 && report.counts.length === 0;

/** Checks one signed head against a stream's stored events (in revision order). */
function checkHead(streamId: string, claim: HeadClaim, events: StoredRecord[]): HeadFinding | null {
  const at = events.find((e) => e.revision === claim.revision);
  const last = events[events.length - 1];
  if (!at)
    return {
      streamId,
      checkpointId: claim.checkpointId,
      claimedRevision: claim.revision,
      claimedHash: claim.hash,
      actualRevision: last?.revision ?? null,
      actualHash: last?.metadata.hash ?? null,
      problem: 'tail-missing',
    };
  if (at.metadata.hash !== claim.hash)
    return {
      streamId,
      checkpointId: claim.checkpointId,
      claimedRevision: claim.revision,
      claimedHash: claim.hash,
      actualRevision: at.revision,
      actualHash: at.metadata.hash,
      problem: 'head-differs',
    };
  return null;
}

/** Recomputes one stream's chain and checks it against the newest signed head of that stream. */
export async function verifyStream(
  store: EventStore,
  signer: CheckpointSigner,
  streamId: string,
): Promise<StreamVerification> {
  const [events, claims] = await Promise.all([
    store.readStoredStream(streamId),
    loadCheckpointClaims(store, signer),
  ]);
  const firstBreak = verifyChain(events);
  const report = emptyReport(claims);
  const claim = claims.heads.get(streamId);
  const finding = claim ? checkHead(streamId, claim, events) : null;
  if (finding) report.heads.push(finding);
  const last = events[events.length - 1];
  return {
    ok: !firstBreak && reportOk(report),
    streamId,
    events: events.length,
    head: last ? { revision: last.revision, hash: last.metadata.hash } : null,
    firstBreak,
    checkpoints: report,
  };
}

/**
 * Recomputes every stream's chain in one pass over the log (memory grows with the number of
 * streams, not events), checks every signed head and every checkpoint's event count.
 */
export async function verifyLog(
  store: EventStore,
  signer: CheckpointSigner,
  options: {
    pageSize?: number;
    maxBreaks?: number;
    onProgress?: (events: number, position: bigint) => void;
  } = {},
): Promise<LogVerification> {
  const pageSize = options.pageSize ?? 2_000;
  const maxBreaks = options.maxBreaks ?? 100;
  const claims = await loadCheckpointClaims(store, signer);
  const report = emptyReport(claims);
  const streams = new Map<string, { next: bigint; hash: string; broken: boolean }>();
  const breaks: ChainBreak[] = [];
  let brokenStreams = 0;
  let firstBreak: ChainBreak | null = null;
  let events = 0;
  let countIndex = 0;
  let upTo = 0n;
  /** Settles the counts of checkpoints below `position` (null: all that are left). */
  const passCountsUpTo = (position: bigint | null) => {
    while (
      countIndex < claims.counts.length &&
      (position === null || claims.counts[countIndex]!.upTo < position)
    ) {
      const count = claims.counts[countIndex++]!;
      if (count.eventCount !== events)
        report.counts.push({
          checkpointId: count.checkpointId,
          upToPosition: count.upTo,
          claimed: count.eventCount,
          actual: events,
        });
    }
  };
  for (let after = START; ;) {
    const page = await store.readStoredAll(after, pageSize);
    if (page.length === 0) break;
    for (const event of page) {
      passCountsUpTo(event.position);
      const stream = streams.get(event.streamId) ?? { next: 0n, hash: GENESIS_HASH, broken: false };
      const expectedHash = chainHash(stream.hash, event);
      if (expectedHash !== event.metadata.hash || event.revision !== stream.next) {
        const found: ChainBreak = {
          streamId: event.streamId,
          revision: event.revision,
          position: event.position,
          eventId: event.id,
          expectedHash,
          storedHash: event.metadata.hash,
        };
        firstBreak ??= found;
        if (!stream.broken) {
          brokenStreams++;
          if (breaks.length < maxBreaks) breaks.push(found);
        }
        stream.broken = true;
      }
      const claim = claims.heads.get(event.streamId);
      if (claim && claim.revision === event.revision) {
        const finding = checkHead(event.streamId, claim, [event]);
        if (finding) report.heads.push(finding);
        claims.heads.delete(event.streamId);
      }
      streams.set(event.streamId, {
        next: event.revision + 1n,
        hash: event.metadata.hash,
        broken: stream.broken,
      });
      events++;
    }
    upTo = page[page.length - 1]!.position;
    after = upTo;
    options.onProgress?.(events, upTo);
  }
  passCountsUpTo(null);
  // Heads still unmatched were signed for revisions the log no longer holds.
  for (const [streamId, claim] of claims.heads) {
    const stream = streams.get(streamId);
    report.heads.push({
      streamId,
      checkpointId: claim.checkpointId,
      claimedRevision: claim.revision,
      claimedHash: claim.hash,
      actualRevision: stream ? stream.next - 1n : null,
      actualHash: stream?.hash ?? null,
      problem: 'tail-missing',
    });
  }
  return {
    ok: brokenStreams === 0 && reportOk(report),
    events,
    streams: streams.size,
    upToPosition: upTo,
    firstBreak,
    breaks,
    brokenStreams,
    checkpoints: report,
  };
}
