import { randomUUID } from 'node:crypto';
import type { Client } from './client';
import { addressOf, SENTENCES, type Account, type World } from './setup';

/**
 * Simulated people. A staff user does, per minute and on average (issue 8): 20 polls of the
 * sidebar and the open conversation (one request each, as the portal polls), 6.5 channel
 * switches (newest page, then MarkChannelRead),
 * 2 scrolls back, 1 unread check, 1 message, 0.04 edits and 0.005 deletes. Their actions are a
 * Poisson process per user (exponential gaps, random phase), sent open-loop: a slow answer does
 * not delay the user's next action, so a slow server cannot lower the load it is offered.
 * A share of the staff users are live-chat agents, who also poll the queue and its KPIs every
 * 10 s on average; visitors start chats through the widget API, write a few messages, poll their
 * chat every 3 s (as the widget does) and close it, then come back as a new visitor.
 */

export const STAFF_PER_MINUTE = {
  poll: 20,
  switchChannel: 6.5,
  scrollBack: 2,
  unreadCheck: 1,
  post: 1,
  edit: 0.04,
  delete: 0.005,
} as const;
type Action = keyof typeof STAFF_PER_MINUTE;
const ACTIONS = Object.entries(STAFF_PER_MINUTE) as [Action, number][];
const TOTAL_PER_MINUTE = ACTIONS.reduce((sum, [, rate]) => sum + rate, 0);

const AGENT_QUEUE_POLL_MS = 10_000;
const VISITOR_POLL_MS = 3_000;
const VISITOR_MESSAGE_MS = 20_000;
const VISITOR_PAUSE_MS = 10_000;
const PAGE = 50;

/** An exponentially distributed gap with the given mean (the gaps of a Poisson process). */
const gap = (meanMs: number) => -Math.log(1 - Math.random()) * meanMs;
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Request types by kind, for the charts. */
export const KINDS: Record<string, string[]> = {
  polls: ['poll'],
  reads: ['open channel', 'scroll back', 'unread check'],
  commands: ['PostMessage', 'MarkChannelRead', 'EditMessage', 'DeleteMessage'],
  'live chat': ['queue poll', 'kpis poll', 'widget start', 'widget message', 'widget poll', 'widget close'],
};

export interface SimulationOptions {
  /** Share of the staff users who are live-chat agents. */
  agentShare: number;
  /** Visitors in a chat at any time, per staff user. */
  visitorShare: number;
}

export class Simulation {
  running = true;
  private readonly staff: StaffUser[] = [];
  private readonly visitors: Visitor[] = [];
  private nextAddress = 1_000_000;
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly client: Client,
    readonly world: World,
    readonly options: SimulationOptions,
  ) {}

  get counts() {
    return {
      staff: this.staff.length,
      agents: this.staff.filter((u) => u.agent).length,
      visitors: this.visitors.length,
    };
  }

  /**
   * Sets the population to n staff users (and its agents and visitors): newcomers start within
   * `spreadMs`, the last ones to come leave first (their requests still on their way complete).
   */
  resize(n: number, spreadMs: number): void {
    while (this.staff.length > n) this.staff.pop()!.active = false;
    const visitorsWanted = Math.max(1, Math.round(n * this.options.visitorShare));
    while (this.visitors.length > visitorsWanted) this.visitors.pop()!.active = false;
    while (this.staff.length < n) {
      const index = this.staff.length;
      // Every 1/agentShare-th user (the first one included) is an agent, signed in with an agent account.
      const every = Math.max(1, Math.round(1 / this.options.agentShare));
      const agent = index % every === 0;
      const account = agent
        ? this.world.agents[Math.floor(index / every) % this.world.agents.length]!
        : this.world.users[index % this.world.users.length]!;
      const user = new StaffUser(this, account, agent);
      this.staff.push(user);
      user.start(Math.random() * spreadMs);
    }
    while (this.visitors.length < visitorsWanted) {
      const visitor = new Visitor(this, this.visitors.length);
      this.visitors.push(visitor);
      this.later(Math.random() * spreadMs, () => void visitor.begin(), visitor);
    }
  }

  address(): string {
    return addressOf(this.nextAddress++);
  }

  /** Runs `task` in `ms`, unless the simulation stopped or its owner left by then. */
  later(ms: number, task: () => void, owner: { active: boolean }): void {
    if (!this.running || !owner.active) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running && owner.active) task();
    }, ms);
    this.timers.add(timer);
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

class StaffUser {
  active = true;
  private channel: string;
  private cursor: string | undefined;
  private pollTag: string | undefined;
  private oldest = 0;
  private newest = 0;
  private switches = 0;
  private readonly mine: string[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly account: Account,
    readonly agent: boolean,
  ) {
    this.channel = pick(sim.world.channels);
  }

  start(delayMs: number): void {
    this.sim.later(
      delayMs,
      () => {
        void this.switchChannel(this.channel);
        this.next();
        if (this.agent) this.nextQueuePoll();
      },
      this,
    );
  }

  private next(): void {
    this.sim.later(
      gap(60_000 / TOTAL_PER_MINUTE),
      () => {
        void this.act();
        this.next();
      },
      this,
    );
  }

  private nextQueuePoll(): void {
    this.sim.later(
      gap(AGENT_QUEUE_POLL_MS),
      () => {
        void this.queuePoll();
        this.nextQueuePoll();
      },
      this,
    );
  }

  private act(): Promise<void> {
    let roll = Math.random() * TOTAL_PER_MINUTE;
    for (const [action, rate] of ACTIONS) {
      roll -= rate;
      if (roll < 0) return this.perform(action);
    }
    return this.perform('poll');
  }

  private perform(action: Action): Promise<void> {
    switch (action) {
      case 'poll':
        return this.poll();
      case 'switchChannel':
        return this.switchChannel(
          pick(this.sim.world.channels.filter((c) => c !== this.channel)) ?? this.channel,
        );
      case 'scrollBack':
        return this.scrollBack();
      case 'unreadCheck':
        return this.unreadCheck();
      case 'post':
        return this.post();
      case 'edit':
        return this.edit();
      case 'delete':
        return this.remove();
    }
  }

  private get client() {
    return this.sim.client;
  }

  private get token() {
    return this.account.token;
  }

  /** The portal's poll: the sidebar and the open conversation's changes in one conditional request. */
  private async poll(): Promise<void> {
    const channel = this.channel;
    const cursor = this.cursor;
    if (cursor === undefined) return;
    const answer = await this.client.request(
      'poll',
      'GET',
      `/api/team-chat/poll?channelId=${channel}&after=${cursor}&limit=200`,
      { token: this.token, etag: this.pollTag, parse: true },
    );
    if (answer.status === 200 && this.channel === channel && this.cursor === cursor) {
      this.pollTag = answer.etag;
      this.cursor = answer.body?.conversation?.cursor ?? cursor;
    }
  }

  /** Opens a conversation as the portal does (one poll with its newest page and the sidebar), then marks it read. */
  private async switchChannel(channel: string): Promise<void> {
    const switchNumber = ++this.switches;
    const page = await this.client.request(
      'open channel',
      'GET',
      `/api/team-chat/poll?channelId=${channel}&limit=${PAGE}`,
      { token: this.token, parse: true },
    );
    if (page.status !== 200 || switchNumber !== this.switches) return;
    const conversation = page.body?.conversation as { items: { seq: number }[]; cursor: string } | undefined;
    this.channel = channel;
    this.cursor = conversation?.cursor;
    this.pollTag = undefined;
    const seqs = (conversation?.items ?? []).map((m) => m.seq);
    this.oldest = seqs.length ? Math.min(...seqs) : 0;
    this.newest = seqs.length ? Math.max(...seqs) : 0;
    await this.client.request('MarkChannelRead', 'POST', '/api/commands/MarkChannelRead', {
      token: this.token,
      body: { channelId: channel },
    });
  }

  private async scrollBack(): Promise<void> {
    // At the very beginning of the history, the user is back at the newest messages.
    if (this.oldest <= 1) this.oldest = this.newest + 1;
    if (this.oldest <= 1) return;
    const channel = this.channel;
    const page = await this.client.request(
      'scroll back',
      'GET',
      `/api/channels/${channel}/messages?before=${this.oldest}&limit=${PAGE}`,
      { token: this.token, parse: true },
    );
    if (page.status !== 200 || this.channel !== channel) return;
    const seqs = ((page.body?.items ?? []) as { seq: number }[]).map((m) => m.seq);
    this.oldest = seqs.length ? Math.min(...seqs) : 1;
  }

  /** The whole sidebar with its unread counts, unconditionally (a tab coming back into focus). */
  private async unreadCheck(): Promise<void> {
    await this.client.request('unread check', 'GET', '/api/channels', { token: this.token });
  }

  private async post(): Promise<void> {
    const messageId = randomUUID();
    const answer = await this.client.request('PostMessage', 'POST', '/api/commands/PostMessage', {
      token: this.token,
      body: { channelId: this.channel, messageId, body: pick(SENTENCES) },
    });
    if (answer.status === 200) {
      this.mine.push(messageId);
      if (this.mine.length > 10) this.mine.shift();
    }
  }

  private async edit(): Promise<void> {
    const messageId = this.mine.length ? pick(this.mine) : undefined;
    if (!messageId) return;
    await this.client.request('EditMessage', 'POST', '/api/commands/EditMessage', {
      token: this.token,
      body: { messageId, body: `${pick(SENTENCES)} (edited)` },
    });
  }

  private async remove(): Promise<void> {
    const messageId = this.mine.pop();
    if (!messageId) return;
    await this.client.request('DeleteMessage', 'POST', '/api/commands/DeleteMessage', {
      token: this.token,
      body: { messageId },
    });
  }

  private queueTag: string | undefined;
  private kpisTag: string | undefined;

  /** The agent's queue view: open sessions and the KPI tiles, both conditional. */
  private async queuePoll(): Promise<void> {
    const [queue, kpis] = await Promise.all([
      this.client.request('queue poll', 'GET', '/api/livechat/sessions?status=open', {
        token: this.token,
        etag: this.queueTag,
      }),
      this.client.request('kpis poll', 'GET', '/api/livechat/kpis', {
        token: this.token,
        etag: this.kpisTag,
      }),
    ]);
    if (queue.status === 200) this.queueTag = queue.etag;
    if (kpis.status === 200) this.kpisTag = kpis.etag;
  }
}

const VISITOR_SENTENCES = [
  'Hi, I cannot log in to my account since this morning.',
  'How do I change the delivery address of my order?',
  'Is there a way to download my invoices as PDF?',
  'My password reset email never arrives.',
  'Thanks, that helps!',
  'Can I talk to a person please?',
];

/** A website visitor: one chat after another, each a few messages long. */
class Visitor {
  active = true;

  constructor(
    private readonly sim: Simulation,
    private readonly number: number,
  ) {}

  async begin(): Promise<void> {
    const client = this.sim.client;
    const started = await client.request('widget start', 'POST', '/api/widget/sessions', {
      body: {
        name: `Visitor ${this.number}`,
        email: `visitor-${this.number}@example.com`,
        widgetKey: 'demo',
      },
      headers: { 'x-forwarded-for': this.sim.address() },
      parse: true,
    });
    if (started.status !== 200 || !started.body) {
      this.sim.later(gap(VISITOR_PAUSE_MS), () => void this.begin(), this);
      return;
    }
    const { sessionId, token } = started.body as { sessionId: string; token: string };
    const chat = {
      open: true,
      cursor: 0,
      tag: undefined as string | undefined,
      left: 2 + Math.floor(Math.random() * 4),
    };

    const poll = () =>
      this.sim.later(
        gap(VISITOR_POLL_MS),
        () => {
          if (!chat.open) return;
          poll();
          void client
            .request('widget poll', 'GET', `/api/widget/sessions/${sessionId}?after=${chat.cursor}`, {
              token,
              etag: chat.tag,
              parse: true,
            })
            .then((answer) => {
              if (answer.status !== 200) return;
              chat.tag = answer.etag;
              chat.cursor = Math.max(chat.cursor, Number(answer.body?.cursor ?? 0));
            });
        },
        this,
      );
    const write = () =>
      this.sim.later(
        gap(VISITOR_MESSAGE_MS),
        () => {
          void client.request('widget message', 'POST', `/api/widget/sessions/${sessionId}/messages`, {
            token,
            body: { messageId: randomUUID(), body: pick(VISITOR_SENTENCES) },
          });
          if (--chat.left > 0) return write();
          this.sim.later(
            gap(VISITOR_PAUSE_MS),
            () => {
              chat.open = false;
              void client
                .request('widget close', 'POST', `/api/widget/sessions/${sessionId}/close`, {
                  token,
                  body: {},
                })
                .then(() => {
                  this.sim.later(gap(VISITOR_PAUSE_MS), () => void this.begin(), this);
                });
            },
            this,
          );
        },
        this,
      );
    poll();
    write();
  }
}
