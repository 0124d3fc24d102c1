/**
 * Wire types of the HTTP contract (DESIGN.md section 3). Ids are UUIDs, positions and
 * cursors are decimal strings, times are ISO 8601 UTC.
 */

export const ROLES = ['SUPER_ADMIN', 'ADMIN', 'MANAGER', 'AGENT', 'USER', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
}

export interface ListAnswer<T> {
  items: T[];
  cursor?: string | null;
}

export type ChannelKind = 'public' | 'private' | 'dm';

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  description: string | null;
  memberCount: number;
  isMember: boolean;
  role: 'ADMIN' | 'MEMBER' | null;
  unread: number;
  muted: boolean;
  lastActivityAt: string | null;
  /** For DMs, the other person (when the server says so). */
  otherUserId?: string | null;
}

export interface ChannelMember {
  userId: string;
  name: string;
  role: 'ADMIN' | 'MEMBER';
}

export interface Reaction {
  emoji: string;
  count: number;
  mine: boolean;
  userIds: string[];
}

export interface Attachment {
  id: string;
  name: string;
  size: number;
  contentType: string;
  width?: number | null;
  height?: number | null;
}

export interface Quote {
  messageId: string;
  authorName: string;
  snippet: string;
  deleted: boolean;
}

export interface Message {
  id: string;
  seq: number;
  author: { id: string; name: string };
  body: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  quote: Quote | null;
  reactions: Reaction[];
  attachments: Attachment[];
}

export type SessionStatus = 'WAITING' | 'ACTIVE' | 'CLOSED';

export interface Session {
  id: string;
  visitorName: string | null;
  visitorEmail: string | null;
  status: SessionStatus;
  agent: { id: string; name: string } | null;
  /** Assigned agents join before they reply; WAITING + assigned + not joined is possible. */
  agentJoined?: boolean;
  messageCount: number;
  waitingSince: string | null;
  startedAt: string;
  closedAt: string | null;
  ticketId: string | null;
  /** How a closed session ended: by staff, or the visitor solved it with a suggested article. */
  resolution?: 'closed' | 'self-served' | null;
}

export interface ArticleSuggestion {
  articleId: string;
  title: string;
}

export interface SessionMessage {
  id: string;
  from: 'visitor' | 'agent' | 'bot';
  authorName?: string | null;
  body: string;
  createdAt: string;
  suggestions?: ArticleSuggestion[];
}

export interface SessionDetail extends Session {
  messages: SessionMessage[];
}

export interface Kpis {
  waiting: number;
  active: number;
  unassigned: number;
  closed: number;
  selfServed?: number;
}

export interface Ticket {
  id: string;
  subject: string;
  status?: string;
  requesterName?: string | null;
  requesterEmail?: string | null;
  createdAt?: string;
  updatedAt?: string | null;
  sessionIds?: string[];
}

export interface TicketComment {
  id: string;
  author: { id: string; name: string };
  body: string;
  createdAt: string;
}

export interface TicketDetail extends Ticket {
  comments?: TicketComment[];
  sessions: { id: string; visitorName?: string | null; startedAt?: string; messages: SessionMessage[] }[];
}

export interface Article {
  id: string;
  title: string;
  body?: string;
  snippet?: string;
  createdAt?: string;
  updatedAt?: string | null;
}

export interface ArticleDetail extends Article {
  body: string;
}
