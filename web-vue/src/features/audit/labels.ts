import type { AuditEvent } from './auditApi';

/** "MessagePosted" -> "Message posted". */
export function typeLabel(type: string): string {
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What kind of thing an event is about, for its colour. */
export function typeTone(type: string): 'chat' | 'live' | 'people' | 'audit' | 'other' {
  if (/^(Message|Channel|Reaction|DirectMessage)/.test(type)) return 'chat';
  if (/^(Visitor|Agent|Session|Articles)/.test(type)) return 'live';
  if (/^(User|PersonalData)/.test(type)) return 'people';
  if (/^(Audit|ChainCheckpoint)/.test(type)) return 'audit';
  return 'other';
}

/** Who did it, in words: a known user's name, a visitor, or the system part. */
export function actorLabel(event: Pick<AuditEvent, 'metadata'>, names: ReadonlyMap<string, string>): string {
  const { kind, id } = event.metadata.actor;
  if (kind === 'user') return names.get(id) ?? `user ${id.slice(0, 8)}`;
  if (kind === 'visitor') return `visitor ${id.slice(0, 8)}`;
  return `system: ${id}`;
}

export const shortId = (id: string) => id.slice(0, 8);

/** A one-line gist of an event's data: the text people wrote, or the ids it is about. */
export function gist(event: AuditEvent): string {
  const d = event.data;
  if (typeof d.endpoint === 'string' && d.filter && typeof d.filter === 'object') {
    const filter = Object.entries(d.filter as Record<string, string>).map(([k, v]) => `${k}=${v}`);
    return [d.endpoint, ...filter].join(' ');
  }
  for (const key of ['body', 'name', 'visitorName', 'title', 'subject']) {
    const value = d[key];
    if (typeof value === 'string' && value) return value.length > 90 ? `${value.slice(0, 89)}…` : value;
  }
  if (Array.isArray(d.articles)) return (d.articles as { title: string }[]).map((a) => a.title).join(' · ');
  if (event.type === 'ChainCheckpointRecorded')
    return `${(d.heads as unknown[]).length} stream heads up to ${String(d.upToPosition)}`;
  if (typeof d.emoji === 'string') return d.emoji;
  if (typeof d.role === 'string') return String(d.role);
  return '';
}

/** The audit event types offered in the filter, grouped as the product is. */
export const EVENT_TYPE_GROUPS: { label: string; types: string[] }[] = [
  {
    label: 'Team chat',
    types: [
      'ChannelCreated',
      'DirectMessageOpened',
      'ChannelJoined',
      'ChannelMemberAdded',
      'ChannelLeft',
      'ChannelDeleted',
      'MessagePosted',
      'MessageEdited',
      'MessageDeleted',
      'ReactionAdded',
      'ReactionRemoved',
      'ChannelReadMarked',
      'ChannelMuted',
      'ChannelUnmuted',
    ],
  },
  {
    label: 'Live chat',
    types: [
      'VisitorSessionStarted',
      'VisitorMessagePosted',
      'AgentMessagePosted',
      'SessionAssigned',
      'AgentJoinedSession',
      'SessionReleased',
      'SessionClosed',
      'ArticlesSuggested',
      'SessionLinkedToTicket',
    ],
  },
  {
    label: 'People',
    types: ['UserCreated', 'UserRoleChanged', 'UserDeactivated', 'UserPasswordChanged', 'PersonalDataErased'],
  },
  {
    label: 'Helpdesk and knowledge base',
    types: [
      'TicketCreated',
      'TicketStatusChanged',
      'TicketCommentAdded',
      'ArticlePublished',
      'ArticleUpdated',
      'ArticleArchived',
    ],
  },
  { label: 'Audit', types: ['AuditQueryPerformed', 'ChainCheckpointRecorded'] },
];
