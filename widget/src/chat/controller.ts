import * as api from './api';
import { ApiError, type SessionSnapshot, type VisitorSession } from './api';
import { pollDelay, sendRetryDelay } from './backoff';
import { Poller } from './poller';
import { SendQueue, type OutgoingMessage } from './send-queue';
import type { ChatStorage, VisitorProfile } from './storage';
import { buildTimeline, type ArchivedConversation, type TimelineItem } from './timeline';

export interface ChatView {
  profile: VisitorProfile | null;
  session: VisitorSession | null;
  snapshot: SessionSnapshot | null;
  timeline: TimelineItem[];
  reconnecting: boolean;
  /** The stored session vanished on the server (expired, or the portal's data was reset). */
  expired: boolean;
  ending: boolean;
  endError: string | null;
  sending: boolean;
  solved: ReadonlySet<string>;
}

const SESSION_GONE = new Set([401, 403, 404]);

const countReplies = (snapshot: SessionSnapshot | null) =>
  snapshot ? snapshot.messages.filter((m) => m.from !== 'visitor').length : 0;

/**
 * The visitor's side of one chat: the stored session, the ordered send queue, the poller and
 * the unread count. Views read `view()` and subscribe; they never call the API themselves.
 */
export class ChatController {
  private profile: VisitorProfile | null;
  private session: VisitorSession | null;
  private snapshot: SessionSnapshot | null = null;
  private etag: string | null = null;
  /** Sequence number of the last message held: polls ask only for what came after it. */
  private cursor: number | null = null;
  private minPosition: string | null = null;
  private readonly awaitingEcho = new Map<string, string>();
  private readonly archive: ArchivedConversation[] = [];
  private outbox: readonly OutgoingMessage[] = [];
  private reconnecting = false;
  private expired = false;
  private ending = false;
  private endError: string | null = null;
  private solved: Set<string>;
  private seen: number;
  private lastUnread = -1;
  private creating: Promise<VisitorSession> | null = null;
  private panelOpen: boolean;
  private pageVisible = true;
  private readonly listeners = new Set<() => void>();
  private readonly poller: Poller;
  private readonly queue: SendQueue;

  constructor(
    private readonly options: {
      widgetKey: string;
      greeting: string;
      storage: ChatStorage;
      panelOpen: boolean;
      onUnread(count: number): void;
    },
  ) {
    const stored = options.storage.load();
    this.profile = stored.profile;
    this.session = stored.session;
    this.solved = new Set(stored.solved);
    this.seen = stored.seen;
    this.panelOpen = options.panelOpen;
    this.poller = new Poller({
      poll: () => this.poll(),
      delay: (failures, error) =>
        pollDelay({
          panelOpen: this.panelOpen,
          pageVisible: this.pageVisible,
          failures,
          retryAfterMs: error instanceof ApiError ? error.retryAfterMs : null,
        }),
      onHealth: (failing) => {
        this.reconnecting = failing;
        this.changed();
      },
    });
    this.queue = new SendQueue(
      {
        send: (m) => this.deliver(m),
        isPermanent: (e) =>
          e instanceof ApiError && (e.status === 400 || e.status === 413 || e.status === 422),
        retryDelay: (attempts, e) => sendRetryDelay(attempts, e instanceof ApiError ? e.retryAfterMs : null),
        onChange: (messages) => {
          this.outbox = [...messages];
          const pending = messages.filter((m) => m.state !== 'failed');
          this.options.storage.save({ outbox: pending.map(({ messageId, body }) => ({ messageId, body })) });
          this.changed();
        },
      },
      this.profile ? stored.outbox : [],
    );
    if (this.session) this.poller.start();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(): ChatView {
    return {
      profile: this.profile,
      session: this.session,
      snapshot: this.snapshot,
      timeline: buildTimeline({
        greeting: this.options.greeting,
        archive: this.archive,
        sessionId: this.session?.sessionId ?? null,
        snapshot: this.snapshot,
        outbox: this.outbox,
        awaitingEcho: this.awaitingEcho,
      }),
      reconnecting: this.reconnecting,
      expired: this.expired,
      ending: this.ending,
      endError: this.endError,
      sending: !this.queue.idle,
      solved: this.solved,
    };
  }

  /** The pre-chat form was filled in. The session itself starts with the first message. */
  start(profile: VisitorProfile): void {
    this.profile = profile;
    this.options.storage.save({ profile });
    this.changed();
  }

  send(body: string): void {
    const text = body.trim();
    if (!text || !this.profile) return;
    this.expired = false;
    this.queue.enqueue(text);
  }

  retry(): void {
    this.queue.retryNow();
    this.poller.now();
  }

  discard(messageId: string): void {
    this.queue.discard(messageId);
  }

  async end(): Promise<void> {
    const session = this.session;
    if (!session || this.ending) return;
    this.ending = true;
    this.endError = null;
    this.changed();
    try {
      await api.closeSession(session);
      if (this.session === session && this.snapshot) this.snapshot = { ...this.snapshot, status: 'CLOSED' };
      this.poller.now();
    } catch {
      this.endError = 'The chat could not be ended. Check your connection and try again.';
    } finally {
      this.ending = false;
      this.changed();
    }
  }

  async markSolved(articleId: string): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    try {
      await api.markSolved(session, articleId);
    } catch {
      return false;
    }
    this.solved.add(articleId);
    this.options.storage.save({ solved: [...this.solved] });
    this.poller.now();
    this.changed();
    return true;
  }

  loadArticle(articleId: string): Promise<api.Article> {
    return api.getArticle(this.session, articleId);
  }

  /** The panel was opened or closed, or the tab hidden or shown. */
  setVisibility(panelOpen: boolean, pageVisible: boolean): void {
    const wasWatching = this.panelOpen && this.pageVisible;
    this.panelOpen = panelOpen;
    this.pageVisible = pageVisible;
    if (panelOpen && pageVisible && !wasWatching) {
      this.markSeen();
      this.poller.now();
    }
  }

  /** Stops polling (the chat is going away). */
  dispose(): void {
    this.poller.stop();
    this.listeners.clear();
  }

  /** The network came back: retry right away instead of waiting out the back-off. */
  online(): void {
    this.queue.retryNow();
    this.poller.now();
  }

  private changed(): void {
    this.reportUnread();
    for (const listener of this.listeners) listener();
  }

  private markSeen(): void {
    const replies = countReplies(this.snapshot);
    if (replies !== this.seen) {
      this.seen = replies;
      this.options.storage.save({ seen: replies });
    }
    this.reportUnread();
  }

  private reportUnread(): void {
    const unread = Math.max(0, countReplies(this.snapshot) - this.seen);
    if (unread === this.lastUnread) return;
    this.lastUnread = unread;
    this.options.onUnread(unread);
  }

  private async poll(): Promise<void> {
    const session = this.session;
    if (!session) return this.poller.stop();
    const acknowledgedBefore = [...this.awaitingEcho.keys()];
    const minPosition = this.minPosition;
    let result: Awaited<ReturnType<typeof api.getSession>>;
    try {
      result = await api.getSession(session, { etag: this.etag, minPosition, after: this.cursor });
    } catch (error) {
      if (error instanceof ApiError && SESSION_GONE.has(error.status)) {
        if (this.session === session) this.forgetSession();
        return;
      }
      throw error;
    }
    if (this.session !== session || !result) return;
    this.etag = result.etag;
    this.apply(result);
    const ids = new Set(this.snapshot!.messages.map((m) => m.id));
    for (const id of this.awaitingEcho.keys()) if (ids.has(id)) this.awaitingEcho.delete(id);
    // Asked with the position of the acknowledgement: the answer includes the write even if the
    // server named the message differently.
    if (minPosition) for (const id of acknowledgedBefore) this.awaitingEcho.delete(id);
    if (this.snapshot!.status === 'CLOSED') this.poller.stop();
    if (this.panelOpen && this.pageVisible) this.markSeen();
    this.changed();
  }

  /** Takes in a poll answer: new messages are merged by id when the server sent only changes. */
  private apply(result: { snapshot: SessionSnapshot; cursor: number | null }): void {
    if (result.cursor === null || !this.snapshot || this.cursor === null) {
      this.snapshot = result.snapshot;
    } else {
      const messages = [...this.snapshot.messages];
      const index = new Map(messages.map((m, i) => [m.id, i]));
      for (const m of result.snapshot.messages) {
        const at = index.get(m.id);
        if (at === undefined) messages.push(m);
        else messages[at] = m;
      }
      this.snapshot = { ...result.snapshot, messages };
    }
    this.cursor = result.cursor;
  }

  private forgetSession(): void {
    this.poller.stop();
    this.session = null;
    this.snapshot = null;
    this.etag = null;
    this.cursor = null;
    this.minPosition = null;
    this.awaitingEcho.clear();
    this.expired = true;
    this.options.storage.save({ session: null, seen: 0, solved: [] });
    this.seen = 0;
    this.solved = new Set();
    this.changed();
  }

  private ensureSession(): Promise<VisitorSession> {
    if (this.session && this.snapshot?.status !== 'CLOSED') return Promise.resolve(this.session);
    this.creating ??= this.createSession().finally(() => (this.creating = null));
    return this.creating;
  }

  private async createSession(): Promise<VisitorSession> {
    const profile = this.profile;
    if (!profile) throw new ApiError(400, 'NO_PROFILE', 'Fill in your name first.');
    const created = await api.createSession({
      name: profile.name,
      ...(profile.email ? { email: profile.email } : {}),
      widgetKey: this.options.widgetKey,
    });
    if (this.session && this.snapshot) {
      this.archive.push({
        sessionId: this.session.sessionId,
        messages: this.snapshot.messages,
        agentName: this.snapshot.agentName,
      });
    }
    this.poller.stop();
    this.session = created;
    this.snapshot = null;
    this.etag = null;
    this.cursor = null;
    this.minPosition = null;
    this.seen = 0;
    this.solved = new Set();
    this.options.storage.save({ session: created, seen: 0, solved: [] });
    this.poller.start();
    this.changed();
    return created;
  }

  private async deliver(message: OutgoingMessage): Promise<void> {
    const session = await this.ensureSession();
    try {
      const { position } = await api.postMessage(session, {
        messageId: message.messageId,
        body: message.body,
      });
      if (position) this.minPosition = position;
    } catch (error) {
      if (error instanceof ApiError && this.session === session) {
        if (SESSION_GONE.has(error.status)) this.forgetSession();
        else if (error.status === 409) await this.checkClosed(session);
      }
      throw error;
    }
    this.awaitingEcho.set(message.messageId, message.body);
    this.poller.now();
  }

  /** A 409 on send: if the session was closed meanwhile, the next try starts a new one. */
  private async checkClosed(session: VisitorSession): Promise<void> {
    try {
      const result = await api.getSession(session, { after: this.cursor });
      if (result && this.session === session) this.apply(result);
    } catch {
      // the retry will find out
    }
  }
}
