import type { EventStore } from '../store/event-store';
import { ChainWalk, verifyChain, type ChainBreak } from '../store/hash-chain';
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

const byPosition = (a: ChainBreak, b: ChainBreak) =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

/**
 * Recomputes every stream's chain over the whole log, checks every signed head and every
 * checkpoint's event count. Where the store can read in stream order it walks one stream at a
 * time, so memory stays flat however many streams there are; else it passes over the log in
 * position order, holding each stream's last link.
 */
export async function verifyLog(
  store: EventStore,
  signer: CheckpointSigner,
  options: {
    pageSize?: number;
    maxBreaks?: number;
    onProgress?: (events: number, position: bigint) => void;
    /** Position order even where stream order is possible (both walks must agree). */
    inPositionOrder?: boolean;
  } = {},
): Promise<LogVerification> {
  const pageSize = options.pageSize ?? 2_000;
  const maxBreaks = options.maxBreaks ?? 100;
  const claims = await loadCheckpointClaims(store, signer);
  const report = emptyReport(claims);
  const upTo = await store.headPosition();
  let breaks: ChainBreak[] = [];
  let brokenStreams = 0;
  let events = 0;
  let streams = 0;
  let lastPosition = 0n;
  // Events per stretch of the log between two checkpoints' positions, summed up at the end.
  const perStretch = new Array<number>(claims.counts.length + 1).fill(0);
  const stretchOf = (position: bigint) => {
    let low = 0;
    let high = claims.counts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (claims.counts[middle]!.upTo < position) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const take = (walk: ChainWalk, event: StoredRecord) => {
    const found = walk.step(event);
    if (found && !walk.broken) {
      walk.broken = true;
      brokenStreams++;
      breaks.push(found);
      // Keep the earliest by position, a bounded number of them.
      if (breaks.length > 2 * maxBreaks) breaks = breaks.sort(byPosition).slice(0, maxBreaks);
    }
    const claim = claims.heads.get(event.streamId);
    if (claim && claim.revision === event.revision) {
      const finding = checkHead(event.streamId, claim, [event]);
      if (finding) report.heads.push(finding);
      claims.heads.delete(event.streamId);
    }
    perStretch[stretchOf(event.position)]!++;
    if (event.position > lastPosition) lastPosition = event.position;
    events++;
  };
  /** A claimed head never reached: the stream's tail is gone (or all of it). */
  const tailMissing = (streamId: string, claim: HeadClaim, walk: ChainWalk | undefined) =>
    report.heads.push({
      streamId,
      checkpointId: claim.checkpointId,
      claimedRevision: claim.revision,
      claimedHash: claim.hash,
      actualRevision: walk ? walk.next - 1n : null,
      actualHash: walk?.hash ?? null,
      problem: 'tail-missing',
    });

  const firstPage = options.inPositionOrder ? null : store.readStoredAllByStream(null, upTo, pageSize);
  if (firstPage) {
    let walk: ChainWalk | undefined;
    let streamId = '';
    const endOfStream = () => {
      const claim = claims.heads.get(streamId);
      if (walk && claim) {
        tailMissing(streamId, claim, walk);
        claims.heads.delete(streamId);
      }
    };
    for (let page = await firstPage; page.length > 0;) {
      // The next page is read while this one is hashed.
      const last = page[page.length - 1]!;
      const next = store.readStoredAllByStream(
        { streamId: last.streamId, revision: last.revision },
        upTo,
        pageSize,
      )!;
      for (const event of page) {
        if (event.streamId !== streamId) {
          endOfStream();
          streamId = event.streamId;
          walk = new ChainWalk();
          streams++;
        }
        take(walk!, event);
      }
      options.onProgress?.(events, lastPosition);
      page = await next;
    }
    endOfStream();
  } else {
    const walks = new Map<string, ChainWalk>();
    for (let after = START; ;) {
      const page = (await store.readStoredAll(after, pageSize)).filter((e) => e.position <= upTo);
      if (page.length === 0) break;
      for (const event of page) {
        let walk = walks.get(event.streamId);
        if (!walk) walks.set(event.streamId, (walk = new ChainWalk()));
        take(walk, event);
      }
      after = page[page.length - 1]!.position;
      options.onProgress?.(events, after);
    }
    streams = walks.size;
    for (const [streamId, claim] of claims.heads) tailMissing(streamId, claim, walks.get(streamId));
    claims.heads.clear();
  }
  // Heads still unmatched were signed for streams the log no longer holds at all.
  for (const [streamId, claim] of claims.heads) tailMissing(streamId, claim, undefined);

  let counted = 0;
  for (const [i, count] of claims.counts.entries()) {
    counted += perStretch[i]!;
    if (count.eventCount !== counted)
      report.counts.push({
        checkpointId: count.checkpointId,
        upToPosition: count.upTo,
        claimed: count.eventCount,
        actual: counted,
      });
  }
  breaks = breaks.sort(byPosition).slice(0, maxBreaks);
  return {
    ok: brokenStreams === 0 && reportOk(report),
    events,
    streams,
    upToPosition: lastPosition,
    firstBreak: breaks[0] ?? null,
    breaks,
    brokenStreams,
    checkpoints: report,
  };
}
