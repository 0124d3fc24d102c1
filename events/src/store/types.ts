/** Who caused an event: a signed-in user, a website visitor (by session), or the system itself. */
export type Actor =
  | { kind: 'user'; id: string }
  | { kind: 'visitor'; id: string }
  | { kind: 'system'; id: string };

export interface EventMetadata {
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  command: string;
  recordedAt: string;
  /** sha256 over the previous event's hash in this stream and this event in canonical form. */
  hash: string;
}

/** How the stream must look before an append: its exact last revision, absent, present, or anything. */
export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface AppendContext {
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  command: string;
}

export interface NewEvent {
  /** uuid; appending the same ids again at the same expected revision is a no-op. */
  id: string;
  type: string;
  data: unknown;
}

export interface AppendResult {
  /** Global position of the last event appended (or of the original append, for a retry). */
  position: bigint;
  /** Revision of the stream's last event after the append. */
  revision: bigint;
}

/** An event as the store keeps it: personal fields encrypted, metadata sealed with its hash. */
export interface StoredEvent {
  id: string;
  type: string;
  version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface StoredRecord extends StoredEvent {
  streamId: string;
  revision: bigint;
  position: bigint;
}

/** An event as readers get it: decrypted (or "[erased]") and upcast to its newest version. */
export type RecordedEvent = StoredRecord;

export interface StreamHead {
  revision: bigint;
  hash: string;
}

/**
 * Another stream a decision was made on: the append happens only while that stream still ends at
 * this revision (null: while it does not exist). A decision may then rest on a state kept in
 * memory instead of a read, and is made again if the stream moved on.
 */
export interface StreamCondition {
  streamId: string;
  revision: bigint | null;
}

export interface AppendOptions {
  /** Appends nothing, and throws WrongExpectedRevisionError naming the stream, unless each still holds. */
  unchanged?: StreamCondition[];
}

export interface AppendRequest extends AppendOptions {
  streamId: string;
  expected: ExpectedRevision;
  eventIds: string[];
  /** Builds the sealed events once the adapter knows the stream head (possibly more than once). */
  seal: (head: StreamHead | null) => StoredEvent[];
}

/** What each storage backend implements; the EventStore adds the catalogue, encryption and hashing. */
/** A place in the log read in stream order: after this revision of this stream. */
export interface StreamPlace {
  streamId: string;
  revision: bigint;
}

export interface EventStoreAdapter {
  readonly name: string;
  append(request: AppendRequest): Promise<AppendResult>;
  /**
   * The stream in revision order, from the revision after `after` (the whole stream without it);
   * empty when the stream does not exist or holds nothing newer.
   */
  readStream(streamId: string, after?: bigint): Promise<StoredRecord[]>;
  /**
   * Events with position > after, in position order, never skipping one that commits late. With
   * `types`, only events of those types: a reader that needs a few kinds (a projector rebuilding)
   * neither transfers nor decrypts the rest.
   */
  readAll(after: bigint, limit: number, types?: readonly string[]): Promise<StoredRecord[]>;
  /**
   * Events in stream order (stream id, then revision) after `after`, none beyond position `upTo`:
   * for whole-log checks that then need to hold one stream at a time, not every stream at once.
   * Optional: a store that cannot read this way is read in position order instead.
   */
  readAllByStream?(after: StreamPlace | null, upTo: bigint, limit: number): Promise<StoredRecord[]>;
  /**
   * Position of the newest committed event (0n when empty). readAll may reach it a moment later:
   * it waits for older transactions (of any database on the server) to finish first.
   */
  headPosition(): Promise<bigint>;
  /** Calls the listener (possibly spuriously) when new events may be readable. */
  onAppended(listener: () => void): () => void;
  close(): Promise<void>;
}

/** The stream (the appended one, or one of its conditions) was not as the append expected. */
export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** Start of the global log: readAll(START) reads from the first event. */
export const START = -1n;
export const MAX_EVENTS_PER_APPEND = 999;
