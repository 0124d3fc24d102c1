import { sql, type ColumnType, type Generated, type Kysely, type Migration } from 'kysely';

/** A reaction as stored on its message: who reacted with one emoji, in the order they did. */
export interface StoredReaction {
  emoji: string;
  userIds: string[];
}

/** An attachment as listed with its message. */
export interface ListedAttachment {
  id: string;
  name: string;
  size: number;
  contentType: string;
  width: number | null;
  height: number | null;
}

type Json<T> = ColumnType<T, string, string>;
/** Positions are int8: strings from pg, written as decimal strings. */
type Position = ColumnType<string, string, string>;

export interface TcChannelsTable {
  id: string;
  kind: 'public' | 'private' | 'dm';
  /** null for a DM: it is named after the other person. */
  name: string | null;
  description: string | null;
  created_by: string | null;
  created_at: Date;
  deleted: Generated<boolean>;
  dm_user_a: string | null;
  dm_user_b: string | null;
  member_count: number;
  /** Sequence number of the newest message (messages are numbered 1, 2, 3 ... per channel). */
  last_seq: Generated<number>;
  /** Messages not deleted. */
  live_count: Generated<number>;
  /** Moves on every post, edit, deletion and reaction: the cursor of the message list. */
  change_seq: Generated<number>;
  /** Log position of the last change that shows in a sidebar (posts, deletions, members, the channel itself). */
  version: Position;
  last_activity_at: Date;
  /** Log position of the batch that last wrote the row (see migration 0003). */
  written_at: Position;
}

/** One user's relation to one channel; kept after they leave, so their read state and the versions stay monotonic. */
export interface TcMembersTable {
  channel_id: string;
  user_id: string;
  role: 'ADMIN' | 'MEMBER';
  is_member: boolean;
  joined_at: Date;
  /** The read mark: every message up to this seq is read. */
  read_seq: Generated<number>;
  /** Messages not deleted with seq <= read_seq. */
  read_live: Generated<number>;
  /** This user's own messages not deleted with seq > read_seq. unread = live_count - read_live - mine_after. */
  mine_after: Generated<number>;
  muted: Generated<boolean>;
  version: Position;
  /** Log position of the batch that last wrote the row (see migration 0003). */
  written_at: Position;
}

export interface TcMessagesTable {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string;
  body: string;
  created_at: Date;
  edited_at: Date | null;
  deleted: Generated<boolean>;
  quoted_message_id: string | null;
  quote_author_id: string | null;
  quote_snippet: string | null;
  quote_deleted: Generated<boolean>;
  reactions: Json<StoredReaction[]>;
  attachments: Json<ListedAttachment[]>;
  /** The channel's change_seq at this message's last change. */
  changed: number;
}

/** Attachments of live messages, for authorized downloads. */
export interface TcAttachmentsTable {
  id: string;
  message_id: string;
  channel_id: string;
  name: string;
  size: ColumnType<string, number, number>;
  content_type: string;
  sha256: string;
}

export interface TeamChatTables {
  tc_channels: TcChannelsTable;
  tc_members: TcMembersTable;
  tc_messages: TcMessagesTable;
  tc_attachments: TcAttachmentsTable;
}

export const teamChatTables = ['tc_channels', 'tc_members', 'tc_messages', 'tc_attachments'] as const;

/** Frozen: change the read model with a new migration (or a rebuild), never by editing this one. */
export const teamChatMigrations: Record<string, Migration> = {
  '0001_team_chat': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('tc_channels')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('description', 'text')
        .addColumn('created_by', 'uuid')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('dm_user_a', 'uuid')
        .addColumn('dm_user_b', 'uuid')
        .addColumn('member_count', 'integer', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('live_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('change_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addColumn('last_activity_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('tc_channels_kind_version')
        .on('tc_channels')
        .columns(['kind', 'version'])
        .execute();

      await db.schema
        .createTable('tc_members')
        .addColumn('channel_id', 'uuid', (c) => c.notNull())
        .addColumn('user_id', 'uuid', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('is_member', 'boolean', (c) => c.notNull())
        .addColumn('joined_at', 'timestamptz', (c) => c.notNull())
        .addColumn('read_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('read_live', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('mine_after', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('muted', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('version', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tc_members_pk', ['channel_id', 'user_id'])
        .execute();
      await db.schema
        .createIndex('tc_members_user')
        .on('tc_members')
        .columns(['user_id', 'channel_id'])
        .execute();

      await db.schema
        .createTable('tc_messages')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('channel_id', 'uuid', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('author_id', 'uuid', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('edited_at', 'timestamptz')
        .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('quoted_message_id', 'uuid')
        .addColumn('quote_author_id', 'uuid')
        .addColumn('quote_snippet', 'text')
        .addColumn('quote_deleted', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('reactions', 'jsonb', (c) => c.notNull())
        .addColumn('attachments', 'jsonb', (c) => c.notNull())
        .addColumn('changed', 'integer', (c) => c.notNull())
        .addUniqueConstraint('tc_messages_channel_seq', ['channel_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('tc_messages_channel_changed')
        .on('tc_messages')
        .columns(['channel_id', 'changed'])
        .execute();
      await db.schema
        .createIndex('tc_messages_quoted')
        .on('tc_messages')
        .column('quoted_message_id')
        .where('quoted_message_id', 'is not', null)
        .execute();

      await db.schema
        .createTable('tc_attachments')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('message_id', 'uuid', (c) => c.notNull())
        .addColumn('channel_id', 'uuid', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('tc_attachments_message')
        .on('tc_attachments')
        .column('message_id')
        .execute();
    },
  },
  '0002_read_mark_counts': {
    // A read mark moving over (from, to] counts what it passes with these: seqs are contiguous per
    // channel and rows are never removed, so the live messages there are (to - from) minus the
    // tombstones, and the member's own live ones are few. Neither count reads every message passed.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    up: async (db: Kysely<any>) => {
      await db.schema
        .createIndex('tc_messages_tombstones')
        .on('tc_messages')
        .columns(['channel_id', 'seq'])
        .where(sql.ref('deleted'), '=', true)
        .execute();
      await db.schema
        .createIndex('tc_messages_channel_author')
        .on('tc_messages')
        .columns(['channel_id', 'author_id', 'seq'])
        .execute();
    },
  },
  '0003_written_at': {
    // Every batch stamps the channel and member rows it writes with its position, so that a
    // reader keeping them in memory fetches only what changed since it last looked (rows written
    // before this migration are older than anything such a reader has not seen yet).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    up: async (db: Kysely<any>) => {
      for (const table of ['tc_channels', 'tc_members']) {
        await db.schema
          .alterTable(table)
          .addColumn('written_at', 'bigint', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex(`${table}_written_at`).on(table).column('written_at').execute();
      }
    },
  },
};
