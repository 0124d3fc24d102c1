import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { ChangeVersions } from '../change-versions';
import type { PreparedReads } from '../prepared-reads';

/** A channel as stored. */
interface ChannelRecord {
  id: string;
  kind: 'public' | 'private' | 'dm';
  name: string | null;
  description: string | null;
  deleted: boolean;
  member_count: number;
  last_activity_at: Date;
  live_count: number;
  change_seq: number;
  version: string;
  dm_user_a: string | null;
  dm_user_b: string | null;
}

/** A channel as one viewer sees it, with their membership. */
export interface ChannelRow extends ChannelRecord {
  other_name: string | null;
  is_member: boolean | null;
  role: 'ADMIN' | 'MEMBER' | null;
  muted: boolean | null;
  read_live: number | null;
  mine_after: number | null;
  member_version: string | null;
}

interface MemberRecord {
  channel_id: string;
  user_id: string;
  role: 'ADMIN' | 'MEMBER';
  is_member: boolean;
  read_live: number;
  mine_after: number;
  muted: boolean;
  version: string;
}

interface Delta {
  /** team_chat's checkpoint: every row written up to it is in this answer (or was in an earlier one). */
  position: string;
  changed: string;
  /** The tables' identities: a rebuild swaps in new ones, which are read again from scratch. */
  tables: string;
  channels: (Omit<ChannelRecord, 'last_activity_at'> & { last_activity_at: string })[];
  members: MemberRecord[];
}

/**
 * Team chat's channels and memberships, kept in the query API's memory: what a sidebar lists, who
 * may see a channel and where its messages stand, answered without a query. Each batch of the
 * projector stamps the rows it writes with its position (written_at), so bringing the copy up to
 * date reads only the rows written since it last looked, with the checkpoint, in one statement:
 * one query per projector commit, whatever the number of polls. It looks when the projector has
 * announced a change it does not hold yet (or the users' names changed), so that an answer shows
 * at least what the read model showed when the request came (and read-your-writes holds).
 */
export class TeamChatMirror {
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly publicChannels = new Set<string>();
  /** Memberships by user, then channel. */
  private readonly memberships = new Map<string, Map<string, MemberRecord>>();
  private names = new Map<string, string>();
  private position = '-1';
  private changed = -1n;
  /** The last change position heard of that the mirror held already. */
  private heard = '';
  private tables = '';
  private usersVersion: string | null = null;
  private syncing: Promise<void> | null = null;
  /** Moves whenever what the mirror holds changes: anything computed from it at the same generation still holds. */
  private generation = 0;
  /** Each viewer's sidebar, while the mirror has not changed: an unchanged poll builds nothing. */
  private readonly sidebars = new Map<string, { generation: number; version: string; rows: ChannelRow[] }>();

  constructor(
    private readonly reads: PreparedReads,
    private readonly versions: ChangeVersions,
  ) {}

  /** The mirror, holding at least every change of Team chat and of the users announced so far. */
  async current(): Promise<this> {
    for (let waited = false; ; waited = true) {
      const changed = await this.versions.of('team_chat');
      const users = await this.versions.of('users');
      if (this.usersVersion === users && (changed === this.heard || this.changed >= BigInt(changed))) {
        this.heard = changed;
        return this;
      }
      if (this.syncing && !waited) {
        await this.syncing;
        continue;
      }
      await (this.syncing ??= this.sync(users).finally(() => (this.syncing = null)));
      return this;
    }
  }

  /** A channel the viewer may see (its version and change number), or undefined if it does not exist for them. */
  accessible(viewer: string, channelId: string): ChannelRecord | undefined {
    const channel = this.channels.get(channelId);
    if (!channel || channel.deleted) return undefined;
    if (channel.kind !== 'public' && !this.memberships.get(viewer)?.get(channelId)?.is_member)
      return undefined;
    return channel;
  }

  /** A channel as the viewer sees it, or undefined if it does not exist for them. */
  visibleChannel(viewer: string, channelId: string): ChannelRow | undefined {
    const channel = this.accessible(viewer, channelId);
    return channel && this.rowOf(viewer, channel, this.memberships.get(viewer)?.get(channelId));
  }

  /** The viewer's sidebar: the channels they may see, and its version (see sidebarVersion). */
  sidebar(viewer: string): { version: string; rows: readonly ChannelRow[] } {
    let sidebar = this.sidebars.get(viewer);
    if (sidebar?.generation !== this.generation) {
      const rows = this.visibleChannels(viewer);
      sidebar = { generation: this.generation, version: sidebarVersion(rows), rows };
      if (this.sidebars.size >= 50_000) this.sidebars.clear();
      this.sidebars.set(viewer, sidebar);
    }
    return sidebar;
  }

  /** Every channel the viewer may see: the public ones and those they are in. */
  private visibleChannels(viewer: string): ChannelRow[] {
    const mine = this.memberships.get(viewer);
    const rows: ChannelRow[] = [];
    for (const id of this.publicChannels) {
      const channel = this.channels.get(id)!;
      if (!channel.deleted) rows.push(this.rowOf(viewer, channel, mine?.get(id)));
    }
    for (const member of mine?.values() ?? []) {
      const channel = this.channels.get(member.channel_id);
      if (channel && !channel.deleted && channel.kind !== 'public' && member.is_member)
        rows.push(this.rowOf(viewer, channel, member));
    }
    return rows;
  }

  /** Field by field: on this V8, spreading an object and adding fields costs microseconds a field. */
  private rowOf(viewer: string, channel: ChannelRecord, member: MemberRecord | undefined): ChannelRow {
    const other =
      channel.kind !== 'dm' ? null : channel.dm_user_a === viewer ? channel.dm_user_b : channel.dm_user_a;
    return {
      id: channel.id,
      kind: channel.kind,
      name: channel.name,
      description: channel.description,
      deleted: channel.deleted,
      member_count: channel.member_count,
      last_activity_at: channel.last_activity_at,
      live_count: channel.live_count,
      change_seq: channel.change_seq,
      version: channel.version,
      dm_user_a: channel.dm_user_a,
      dm_user_b: channel.dm_user_b,
      other_name: other === null ? null : (this.names.get(other) ?? null),
      is_member: member?.is_member ?? null,
      role: member?.role ?? null,
      muted: member?.muted ?? null,
      read_live: member?.read_live ?? null,
      mine_after: member?.mine_after ?? null,
      member_version: member?.version ?? null,
    };
  }

  private async sync(users: string): Promise<void> {
    let delta = await this.fetch(this.tables === '' ? '-1' : this.position);
    if (delta.tables !== this.tables) {
      // Tables swapped in by a rebuild (or the first look): everything is read again.
      if (this.tables !== '') delta = await this.fetch('-1');
      this.channels.clear();
      this.publicChannels.clear();
      this.memberships.clear();
    }
    for (const row of delta.channels) {
      this.channels.set(row.id, { ...row, last_activity_at: new Date(row.last_activity_at) });
      if (row.kind === 'public') this.publicChannels.add(row.id);
    }
    for (const row of delta.members) {
      const mine = this.memberships.get(row.user_id);
      if (mine) mine.set(row.channel_id, row);
      else this.memberships.set(row.user_id, new Map([[row.channel_id, row]]));
    }
    if (delta.channels.length > 0 || delta.members.length > 0 || delta.tables !== this.tables)
      this.generation++;
    this.position = delta.position;
    this.changed = BigInt(delta.changed);
    this.tables = delta.tables;
    if (users !== this.usersVersion) {
      const names = await this.reads.rows(sql<{ id: string; name: string }>`SELECT id, name FROM users`);
      this.names = new Map(names.map((u) => [u.id, u.name]));
      this.usersVersion = users;
      this.generation++;
    }
  }

  /** Rows written after `since`, with the checkpoint they are consistent with (one statement: one snapshot). */
  private async fetch(since: string): Promise<Delta> {
    const [delta] = await this.reads.rows(sql<Delta>`
      SELECT
        coalesce((SELECT position::text FROM projection_checkpoints WHERE name = 'team_chat'), '-1') AS position,
        coalesce((SELECT changed_position::text FROM projection_checkpoints WHERE name = 'team_chat'), '-1') AS changed,
        concat_ws('.', to_regclass('tc_channels')::oid, to_regclass('tc_members')::oid) AS tables,
        (SELECT coalesce(json_agg(json_build_object(
            'id', c.id, 'kind', c.kind, 'name', c.name, 'description', c.description, 'deleted', c.deleted,
            'member_count', c.member_count, 'last_activity_at', c.last_activity_at, 'live_count', c.live_count,
            'change_seq', c.change_seq, 'version', c.version::text, 'dm_user_a', c.dm_user_a, 'dm_user_b', c.dm_user_b
          )), '[]') FROM tc_channels c WHERE c.written_at > ${since}::bigint) AS channels,
        (SELECT coalesce(json_agg(json_build_object(
            'channel_id', m.channel_id, 'user_id', m.user_id, 'role', m.role, 'is_member', m.is_member,
            'read_live', m.read_live, 'mine_after', m.mine_after, 'muted', m.muted, 'version', m.version::text
          )), '[]') FROM tc_members m WHERE m.written_at > ${since}::bigint) AS members`);
    return parsed(delta!);
  }
}

/**
 * The version of a sidebar: of each channel listed, its row's version and the viewer's membership
 * row's. Every change of what a sidebar shows moves one of them (or lists a channel more or less).
 */
function sidebarVersion(rows: readonly ChannelRow[]): string {
  const hash = createHash('sha256');
  // In a fixed order: the same rows read twice may come in another.
  for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1)))
    hash.update(`${row.id}.${row.version}.${row.member_version ?? ''};`);
  return hash.digest('base64url').slice(0, 22);
}

/** PGlite answers json columns as text. */
function parsed(delta: Delta): Delta {
  const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
  return { ...delta, channels: json(delta.channels), members: json(delta.members) };
}
