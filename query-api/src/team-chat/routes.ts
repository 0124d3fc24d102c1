import { createHash } from 'node:crypto';
import { createBlobStore, type BlobStore } from '@chat/platform/blobs/index';
import {
  NotFoundError,
  principalOf,
  requireUser,
  type HttpServer,
  type Platform,
  type SessionLookup,
} from '@chat/platform';
import type { ReadModels } from '@chat/projections';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ChangeVersions } from '../change-versions';
import { withEtag } from '../etag';
import { PreparedReads } from '../prepared-reads';
import { TeamChatMirror, type ChannelRow } from './mirror';
import { RecentMessages } from './recent-messages';
import {
  channelMembers,
  channelMessages,
  visibleAttachment,
  type MessagePage,
  type MessageRow,
} from './queries';

const ChannelItem = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(['public', 'private', 'dm']),
  description: z.string().nullable(),
  memberCount: z.number(),
  isMember: z.boolean(),
  role: z.enum(['ADMIN', 'MEMBER']).nullable(),
  unread: z.number(),
  muted: z.boolean(),
  lastActivityAt: z.string(),
  /** For a DM, the other person. */
  otherUserId: z.uuid().nullable(),
});
const MemberItem = z.object({ userId: z.uuid(), name: z.string(), role: z.enum(['ADMIN', 'MEMBER']) });
const AttachmentItem = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
});
const MessageItem = z.object({
  id: z.uuid(),
  seq: z.number(),
  author: z.object({ id: z.uuid(), name: z.string() }),
  body: z.string(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  deleted: z.boolean(),
  quote: z
    .object({ messageId: z.uuid(), authorName: z.string(), snippet: z.string(), deleted: z.boolean() })
    .nullable(),
  reactions: z.array(
    z.object({ emoji: z.string(), count: z.number(), mine: z.boolean(), userIds: z.array(z.uuid()) }),
  ),
  attachments: z.array(AttachmentItem),
});

const ChannelParams = z.strictObject({ id: z.uuid() });
const Cursor = z.string().regex(/^\d{1,10}$/, 'a cursor from an earlier answer');
const PageSize = z.coerce.number().int().min(1).max(200);
const MessagesQuery = z
  .strictObject({
    after: Cursor.optional(),
    before: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
    limit: PageSize.optional(),
  })
  .refine((q) => q.after === undefined || q.before === undefined, 'give after or before, not both');
const PollQuery = z
  .strictObject({ channelId: z.uuid().optional(), after: Cursor.optional(), limit: PageSize.optional() })
  .refine((q) => q.channelId !== undefined || (q.after === undefined && q.limit === undefined), {
    message: 'after and limit page a conversation: give its channelId',
    path: ['channelId'],
  });

const UNKNOWN = 'Unknown user';

function toChannel(row: ChannelRow, viewer: string): z.infer<typeof ChannelItem> {
  const isMember = Boolean(row.is_member);
  const unread = isMember ? Math.max(0, row.live_count - (row.read_live ?? 0) - (row.mine_after ?? 0)) : 0;
  const otherUserId = row.kind === 'dm' ? (row.dm_user_a === viewer ? row.dm_user_b : row.dm_user_a) : null;
  return {
    id: row.id,
    name: row.kind === 'dm' ? (row.other_name ?? UNKNOWN) : (row.name ?? ''),
    kind: row.kind,
    description: row.description,
    memberCount: row.member_count,
    isMember,
    role: isMember ? row.role : null,
    unread,
    muted: isMember && Boolean(row.muted),
    lastActivityAt: row.last_activity_at.toISOString(),
    otherUserId,
  };
}

function toMessage(row: MessageRow, viewer: string): z.infer<typeof MessageItem> {
  return {
    id: row.id,
    seq: row.seq,
    author: { id: row.author_id, name: row.author_name ?? UNKNOWN },
    body: row.deleted ? '' : row.body,
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at?.toISOString() ?? null,
    deleted: row.deleted,
    quote: row.quoted_message_id
      ? {
          messageId: row.quoted_message_id,
          authorName: row.quote_author_name ?? UNKNOWN,
          snippet: row.quote_deleted ? '' : (row.quote_snippet ?? ''),
          deleted: row.quote_deleted,
        }
      : null,
    reactions: row.deleted
      ? []
      : row.reactions.map((r) => ({
          emoji: r.emoji,
          count: r.userIds.length,
          mine: r.userIds.includes(viewer),
          userIds: r.userIds,
        })),
    attachments: row.deleted
      ? []
      : row.attachments.map(({ width, height, ...a }) => ({
          ...a,
          ...(width ? { width } : {}),
          ...(height ? { height } : {}),
        })),
  };
}

/** Short, opaque tag of who asks and how, for ETags that differ per viewer and per question. */
const tagOf = (() => {
  // Pollers ask the same questions over and over: remember the tags rather than hash every poll.
  const known = new Map<string, string>();
  return (...parts: unknown[]) => {
    const key = parts.join('|');
    let tag = known.get(key);
    if (tag === undefined) {
      tag = createHash('sha256').update(key).digest('base64url').slice(0, 16);
      if (known.size >= 50_000) known.clear();
      known.set(key, tag);
    }
    return tag;
  };
})();

const sortKey = (c: z.infer<typeof ChannelItem>) => `${c.kind === 'dm' ? 1 : 0}${c.name.toLowerCase()}`;

/** Inline only for raster images a browser cannot run; everything else downloads. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export interface TeamChatQueryDeps {
  db: Kysely<ReadModels>;
  sessions: SessionLookup;
  versions: ChangeVersions;
}

/**
 * Team chat's queries: the sidebar, a channel, its members, its messages and attachment downloads.
 * A private channel and everything in it answers 404 to anyone not in it, exactly like a missing one.
 */
export function registerTeamChatQueries(app: HttpServer, platform: Platform, deps: TeamChatQueryDeps): void {
  const { versions } = deps;
  const reads = new PreparedReads(deps.db);
  const auth = requireUser(deps.sessions);
  const blobs: BlobStore = createBlobStore(platform.config, platform.database.pool);
  const tags = ['team chat'];

  const mirror = new TeamChatMirror(reads, versions);
  const recent = new RecentMessages(reads);
  const channelFor = async (viewer: string, channelId: string) => {
    const row = (await mirror.current()).visibleChannel(viewer, channelId);
    if (!row) throw new NotFoundError('No such channel');
    return row;
  };
  const accessTo = async (viewer: string, channelId: string) => {
    const channel = (await mirror.current()).accessible(viewer, channelId);
    if (!channel) throw new NotFoundError('No such channel');
    return channel;
  };

  /** The viewer's sidebar: its version (for the ETag), and its items, built only when asked. */
  const sidebarOf = async (viewer: string) => {
    const users = await versions.of('users');
    const sidebar = (await mirror.current()).sidebar(viewer);
    return {
      version: `${sidebar.version}.${users}.${tagOf(viewer)}`,
      items: () =>
        sidebar.rows
          .map((row) => toChannel(row, viewer))
          .sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    };
  };

  /**
   * A page of a conversation the viewer may read (else 404): its version, and the page, read only
   * when asked. The channel's change number is the whole version of its message list.
   */
  const conversationOf = async (viewer: string, channelId: string, query: z.infer<typeof MessagesQuery>) => {
    const { after, before, limit = 50 } = query;
    const page: MessagePage =
      after !== undefined ? { after: Number(after) } : before !== undefined ? { before } : { newest: true };
    const users = await versions.of('users');
    const upTo = (await accessTo(viewer, channelId)).change_seq;
    return {
      version: `${upTo}.${users}.${tagOf(viewer, channelId, after, before, limit)}`,
      page: async () => {
        const rows =
          (await recent.page(channelId, page, limit, upTo, users)) ??
          (await channelMessages(reads, channelId, page, limit, upTo));
        // A full page of changes continues from its last change; otherwise the poller has everything up to upTo.
        const cursor = 'after' in page && rows.length === limit ? rows[rows.length - 1]!.changed : upTo;
        if ('after' in page) rows.sort((a, b) => a.seq - b.seq);
        return { items: rows.map((row) => toMessage(row, viewer)), cursor: String(cursor) };
      },
    };
  };

  app.get(
    '/api/channels',
    {
      schema: {
        tags,
        summary: 'The channels and DMs I may see, with unread counts, mute and membership',
        response: { 200: z.object({ items: z.array(ChannelItem) }) },
      },
      preHandler: auth,
    },
    async (request, reply) => {
      const sidebar = await sidebarOf(principalOf(request).userId);
      return withEtag(request, reply, sidebar.version, async () => ({ items: sidebar.items() }));
    },
  );

  app.get(
    '/api/channels/:id',
    { schema: { tags, params: ChannelParams, response: { 200: ChannelItem } }, preHandler: auth },
    async (request) => {
      const { userId } = principalOf(request);
      return toChannel(await channelFor(userId, request.params.id), userId);
    },
  );

  app.get(
    '/api/channels/:id/members',
    {
      schema: { tags, params: ChannelParams, response: { 200: z.object({ items: z.array(MemberItem) }) } },
      preHandler: auth,
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const channel = await accessTo(userId, request.params.id);
      const version = `${channel.version}.${await versions.of('users')}.${tagOf(userId, channel.id)}`;
      return withEtag(request, reply, version, async () => ({
        items: (await channelMembers(reads, channel.id)).map((m) => ({
          userId: m.user_id,
          name: m.name ?? UNKNOWN,
          role: m.role,
        })),
      }));
    },
  );

  app.get(
    '/api/channels/:id/messages',
    {
      schema: {
        tags,
        summary:
          'Newest messages; ?before=<seq> pages back; ?after=<cursor> gives everything created or changed since',
        params: ChannelParams,
        querystring: MessagesQuery,
        response: { 200: z.object({ items: z.array(MessageItem), cursor: z.string() }) },
      },
      preHandler: auth,
    },
    async (request, reply) => {
      const conversation = await conversationOf(
        principalOf(request).userId,
        request.params.id,
        request.query,
      );
      return withEtag(request, reply, conversation.version, conversation.page);
    },
  );

  app.get(
    '/api/team-chat/poll',
    {
      schema: {
        tags,
        summary:
          "The portal's poll in one request: the sidebar, and with channelId the open conversation as /api/channels/{id}/messages answers it",
        querystring: PollQuery,
        response: {
          200: z.object({
            channels: z.array(ChannelItem),
            conversation: z
              .object({ channelId: z.uuid(), items: z.array(MessageItem), cursor: z.string() })
              .nullable(),
          }),
        },
      },
      preHandler: auth,
    },
    async (request, reply) => {
      const { userId } = principalOf(request);
      const { channelId, ...page } = request.query;
      const [sidebar, conversation] = await Promise.all([
        sidebarOf(userId),
        channelId === undefined ? null : conversationOf(userId, channelId, page),
      ]);
      const version = `${sidebar.version}|${conversation?.version ?? '-'}`;
      return withEtag(request, reply, version, async () => ({
        channels: sidebar.items(),
        conversation: conversation && { channelId: channelId!, ...(await conversation.page()) },
      }));
    },
  );

  app.get(
    '/api/attachments/:id',
    {
      schema: {
        tags,
        summary: 'Download an attachment; authorized like its conversation',
        params: ChannelParams,
      },
      preHandler: auth,
    },
    async (request, reply): Promise<FastifyReply | Buffer> => {
      const { userId } = principalOf(request);
      const attachment = await visibleAttachment(reads, userId, request.params.id);
      if (!attachment) throw new NotFoundError('No such attachment');
      const inline = INLINE_TYPES.has(attachment.content_type);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', "sandbox; default-src 'none'");
      reply.header(
        'content-disposition',
        contentDisposition(inline ? 'inline' : 'attachment', attachment.name),
      );
      return withEtag(request, reply, attachment.sha256, async () => {
        const bytes = await blobs.get(attachment.sha256);
        if (!bytes) throw new NotFoundError('No such attachment');
        reply.header('content-type', attachment.content_type);
        return bytes;
      });
    },
  );
}
