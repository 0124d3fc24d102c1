import { get, qs } from '../../api/http';

/**
 * The audit API, one function per endpoint. Every call is recorded on the server as a read
 * of the audit trail (AuditQueryPerformed), so nothing here polls.
 */

export interface AuditEvent {
  position: string;
  streamId: string;
  revision: string;
  id: string;
  type: string;
  version: number;
  data: Record<string, unknown>;
  metadata: {
    actor: { kind: 'user' | 'visitor' | 'system'; id: string };
    correlationId: string;
    causationId: string | null;
    command: string;
    recordedAt: string;
    hash: string;
  };
  recordedAt: string;
}

export interface EventFilters {
  stream?: string;
  type?: string;
  excludeType?: string;
  actor?: string;
  correlationId?: string;
  channelId?: string;
  sessionId?: string;
  from?: string;
  to?: string;
}

export interface EventPage {
  items: AuditEvent[];
  cursor?: string;
}

export function browseEvents(
  filters: EventFilters,
  page: { after?: string; limit?: number; order?: 'asc' | 'desc' } = {},
): Promise<EventPage> {
  return get(`/api/audit/events${qs({ ...filters, ...page })}`);
}

/** Where the browser downloads the filtered log as NDJSON (the session cookie authorizes it). */
export function exportUrl(filters: EventFilters): string {
  return `/api/audit/export${qs({ ...filters })}`;
}

export function streamHistory(streamId: string): Promise<{ streamId: string; items: AuditEvent[] }> {
  return get(`/api/audit/streams/${encodeURIComponent(streamId)}`);
}

export interface Person {
  id: string;
  name: string;
}

export interface TimelineEntry {
  position: string;
  type: string;
  streamId: string;
  recordedAt: string;
  actorId: string;
}

export interface ChannelAsOf {
  channelId: string;
  reflects: string | null;
  channel: {
    status: 'absent' | 'active' | 'deleted';
    kind: 'public' | 'private' | 'dm' | null;
    name: string | null;
    members: (Person & { role: string })[];
  };
  messages: {
    id: string;
    author: Person;
    status: 'posted' | 'deleted';
    body: string;
    bodyBeforeDeletion: string | null;
    postedAt: string;
    editedAt: string | null;
    deletedAt: string | null;
    quotedMessageId: string | null;
    attachments: { id: string; name: string; size: number; contentType: string }[];
    reactions: { emoji: string; users: Person[] }[];
  }[];
  timeline: TimelineEntry[];
}

export interface SessionAsOf {
  sessionId: string;
  reflects: string | null;
  session: {
    status: 'absent' | 'WAITING' | 'ACTIVE' | 'CLOSED';
    visitorName: string | null;
    visitorEmail: string | null;
    widgetKey: string | null;
    assignee: Person | null;
    agentJoined: boolean;
    ticketId: string | null;
    resolution: string | null;
    suggestedArticleIds: string[];
    messages: {
      id: string;
      from: 'visitor' | 'agent';
      author: Person | null;
      body: string;
      at: string | null;
    }[];
  };
  timeline: TimelineEntry[];
}

export type Cut = { position?: string; time?: string };

export function channelAsOf(channelId: string, cut: Cut = {}): Promise<ChannelAsOf> {
  return get(`/api/audit/channels/${channelId}/as-of${qs(cut)}`);
}

export function sessionAsOf(sessionId: string, cut: Cut = {}): Promise<SessionAsOf> {
  return get(`/api/audit/sessions/${sessionId}/as-of${qs(cut)}`);
}

export interface CommandGroup {
  correlationId: string;
  command: string;
  position: string;
  recordedAt: string;
  events: (AuditEvent & { byActor: boolean })[];
}

export function actorCommands(
  actorId: string,
  page: { before?: string; limit?: number } = {},
): Promise<{ actor: { id: string; name: string | null }; items: CommandGroup[]; cursor?: string }> {
  return get(`/api/audit/actors/${encodeURIComponent(actorId)}/commands${qs(page)}`);
}

export interface ChainBreak {
  streamId: string;
  revision: string;
  position: string;
  eventId: string;
  expectedHash: string;
  storedHash: string;
}

export interface CheckpointReport {
  latest: {
    checkpointId: string;
    upToPosition: string;
    eventCount: number;
    streamCount: number;
    recordedAt: string;
  } | null;
  events: number;
  valid: number;
  invalid: { eventId: string; position: string; checkpointId: string }[];
  unknownKey: number;
  heads: {
    streamId: string;
    claimedRevision: string;
    claimedHash: string;
    actualRevision: string | null;
    actualHash: string | null;
    problem: 'tail-missing' | 'head-differs';
  }[];
  counts: { checkpointId: string; upToPosition: string; claimed: number; actual: number }[];
}

export type Verification =
  | {
      scope: 'log';
      ok: boolean;
      events: number;
      streams: number;
      upToPosition: string;
      firstBreak: ChainBreak | null;
      breaks: ChainBreak[];
      brokenStreams: number;
      checkpoints: CheckpointReport;
    }
  | {
      scope: 'stream';
      ok: boolean;
      streamId: string;
      events: number;
      head: { revision: string; hash: string } | null;
      firstBreak: ChainBreak | null;
      checkpoints: CheckpointReport;
    };

export function verify(stream?: string): Promise<Verification> {
  return get(`/api/audit/verify${qs({ stream })}`);
}
