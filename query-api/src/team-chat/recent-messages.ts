import type { PreparedReads } from '../prepared-reads';
import { messagesAsOfNow, type MessagePage, type MessageRow } from './queries';

/** Newest messages read when a channel is first asked for. */
const NEWEST = 100;
/** Beyond this many messages held, a channel starts over from its newest. */
const MAX_HELD = 500;
/** Channels held at once; the least recently asked for is forgotten first. */
const MAX_CHANNELS = 200;

interface Tail {
  /** The channel's change number the rows stand at. */
  upTo: number;
  /** Every change after this one is held: changes since a cursor from here on are answered. */
  from: number;
  /** Every message from this seq to `newestSeq` is held. */
  oldestSeq: number;
  newestSeq: number;
  /** The channel has no message before oldestSeq. */
  complete: boolean;
  rows: Map<string, MessageRow>;
  /** The users' version the authors' names were read at. */
  users: string;
}

/**
 * The recent messages of the channels being read, kept in the query API's memory: a channel's
 * open page, its changes since a poller's cursor and the first pages back are answered from here.
 * A channel held at an older change number reads only the messages changed since (every post,
 * edit, deletion, reaction and erasure moves the number), in one statement shared by everyone
 * asking meanwhile. Anything it does not hold (an old cursor, a page further back) is read from
 * the table by the caller. Authors' names are read with the rows: a change of the users starts over.
 */
export class RecentMessages {
  private readonly tails = new Map<string, Tail>();
  private readonly reading = new Map<string, Promise<Tail | null>>();

  constructor(private readonly reads: PreparedReads) {}

  /**
   * The page as it stands at change number `upTo` or later (as the table would answer it), or null
   * when memory does not hold all of it.
   */
  async page(
    channelId: string,
    page: MessagePage,
    limit: number,
    upTo: number,
    users: string,
  ): Promise<MessageRow[] | null> {
    const tail = await this.tailAt(channelId, upTo, users);
    if (!tail) return null;
    const held = (seq: number) => seq >= tail.oldestSeq;
    if ('after' in page) {
      if (page.after < tail.from) return null;
      return [...tail.rows.values()]
        .filter((row) => row.changed > page.after && row.changed <= upTo)
        .sort((a, b) => a.changed - b.changed)
        .slice(0, limit);
    }
    // The table answers a page back from beyond the newest message with the newest ones.
    const below = Math.min('before' in page ? page.before : Infinity, tail.newestSeq + 1);
    if (!tail.complete && below - limit < tail.oldestSeq) return null;
    return [...tail.rows.values()]
      .filter((row) => held(row.seq) && row.seq < below && row.seq >= below - limit)
      .sort((a, b) => a.seq - b.seq);
  }

  private async tailAt(channelId: string, upTo: number, users: string): Promise<Tail | null> {
    const tail = this.tails.get(channelId);
    if (tail && tail.users === users && tail.upTo >= upTo) {
      // Most recently asked for last: the first is the one to forget.
      this.tails.delete(channelId);
      this.tails.set(channelId, tail);
      return tail;
    }
    let pending = this.reading.get(channelId);
    if (!pending) {
      const earlier = tail?.users === users ? tail : null;
      pending = this.read(channelId, earlier, users).finally(() => this.reading.delete(channelId));
      this.reading.set(channelId, pending);
    }
    const read = await pending;
    return read && read.upTo >= upTo ? read : null;
  }

  /** Brings a held channel up to now, or reads its newest messages. */
  private async read(channelId: string, tail: Tail | null, users: string): Promise<Tail | null> {
    if (tail) {
      const changes = await messagesAsOfNow(this.reads, channelId, tail.upTo, MAX_HELD + 1);
      if (changes && changes.rows.length + tail.rows.size <= MAX_HELD) {
        for (const row of changes.rows) {
          tail.rows.set(row.id, row);
          tail.newestSeq = Math.max(tail.newestSeq, row.seq);
        }
        tail.upTo = changes.changeSeq;
        return tail;
      }
    }
    this.tails.delete(channelId);
    const newest = await messagesAsOfNow(this.reads, channelId, null, NEWEST);
    if (!newest) return null;
    const seqs = newest.rows.map((row) => row.seq);
    const fresh: Tail = {
      upTo: newest.changeSeq,
      from: newest.changeSeq,
      oldestSeq: seqs.length ? Math.min(...seqs) : 1,
      newestSeq: seqs.length ? Math.max(...seqs) : 0,
      complete: newest.rows.length < NEWEST,
      rows: new Map(newest.rows.map((row) => [row.id, row])),
      users,
    };
    this.tails.set(channelId, fresh);
    if (this.tails.size > MAX_CHANNELS) this.tails.delete(this.tails.keys().next().value!);
    return fresh;
  }
}
