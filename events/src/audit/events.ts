import { z } from 'zod';
import { defineEvent, type EventOf } from '../catalogue/define';

/**
 * The audit trail's own events: reads of the audit API (the audit of the audit), signed
 * summaries of every hash chain's head, and erasures of a person's data. None of them holds
 * personal data: ids, event types, positions and hashes only.
 */

/** One stream per auditor: every read they made of the audit API. */
export const auditQueryStream = (auditorId: string) => `audit-${auditorId}`;
/** The signed chain-head summaries, one stream for the whole deployment. */
export const CHAIN_CHECKPOINT_STREAM = 'audit-chain-checkpoints';
/** Who was erased, once per subject ("user:<id>", "visitor:<sessionId>"). */
export const erasureStream = (subject: string) => `erasure-${subject.replace(':', '-')}`;

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Decimal = z.string().regex(/^\d{1,20}$/);

export const AuditQueryPerformed = defineEvent({
  type: 'AuditQueryPerformed',
  version: 1,
  schema: z.object({
    auditorId: z.uuid(),
    /** The route as declared, e.g. "GET /api/audit/events". */
    endpoint: z.string().min(1).max(200),
    /** The query and path parameters, as given. */
    filter: z.record(z.string().max(64), z.string().max(500)),
  }),
});

/** At most this many stream heads per checkpoint event; a larger summary spans several parts. */
export const HEADS_PER_CHECKPOINT_PART = 500;

export const ChainHead = z.object({ streamId: z.string().min(1).max(200), revision: Decimal, hash: Hash });
export type ChainHead = z.infer<typeof ChainHead>;

/**
 * The heads (last revision and hash) of every stream that changed since the previous checkpoint,
 * up to a log position, signed with HMAC-SHA256 under a key derived from the deployment secret.
 * A later verification that finds a stream shorter than, or different from, a signed head has
 * found a deleted or rewritten tail.
 */
export const ChainCheckpointRecorded = defineEvent({
  type: 'ChainCheckpointRecorded',
  version: 1,
  schema: z.object({
    checkpointId: z.uuid(),
    part: z.number().int().min(1),
    parts: z.number().int().min(1),
    /** Covers every event at or below this position ("0" for an empty log). */
    upToPosition: Decimal,
    /** The previous complete checkpoint's position; null for the first. */
    sincePosition: Decimal.nullable(),
    /** Events and streams in the whole log up to upToPosition. */
    eventCount: z.number().int().nonnegative(),
    streamCount: z.number().int().nonnegative(),
    heads: z.array(ChainHead).max(HEADS_PER_CHECKPOINT_PART),
    /** Fingerprint of the signing key (never the key). */
    keyId: z.string().regex(/^[0-9a-f]{16}$/),
    signature: Hash,
  }),
});

export const ErasedSubjectKind = z.enum(['user', 'visitor']);
export type ErasedSubjectKind = z.infer<typeof ErasedSubjectKind>;

/** A person's data key was destroyed: their personal fields read "[erased]" from now on. */
export const PersonalDataErased = defineEvent({
  type: 'PersonalDataErased',
  version: 1,
  schema: z.object({
    /** "user:<id>" or "visitor:<sessionId>", the data-key subject. */
    subject: z.string().regex(/^(user|visitor):[0-9a-f-]{36}$/),
    kind: ErasedSubjectKind,
    /** The user id or the visitor's session id. */
    subjectId: z.uuid(),
    erasedBy: z.uuid(),
  }),
});

export const auditEvents = [AuditQueryPerformed, ChainCheckpointRecorded, PersonalDataErased];
export type AuditEvent =
  | EventOf<typeof AuditQueryPerformed>
  | EventOf<typeof ChainCheckpointRecorded>
  | EventOf<typeof PersonalDataErased>;
export type ChainCheckpointData = EventOf<typeof ChainCheckpointRecorded>['data'];
export type PersonalDataErasedData = EventOf<typeof PersonalDataErased>['data'];
