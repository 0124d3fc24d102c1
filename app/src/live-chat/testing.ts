/* eslint-disable @typescript-eslint/no-explicit-any -- test client answers are whatever the API sent */
import { randomUUID } from 'node:crypto';
import { ApiClient, type Answer, type TestSystem } from '../testing/test-system';

/** Widget sites for tests: the embedded demo key, and a customer site on another origin. */
export const TEST_WIDGET_SITES = JSON.stringify([
  { key: 'demo', origins: ['http://localhost:3000'] },
  { key: 'acme', origins: ['https://shop.acme.test'] },
]);

let nextIp = 1;
/** A fresh client address per visitor (the server trusts X-Forwarded-For), so per-address caps stay apart. */
export const freshIp = () => `10.${(nextIp >> 16) & 255}.${(nextIp >> 8) & 255}.${nextIp++ & 255}`;

/** A website visitor: their session, token and address, and the widget API calls they make. */
export class Visitor {
  lastPosition: string | null = null;
  constructor(
    readonly t: TestSystem,
    readonly sessionId: string,
    readonly token: string,
    readonly ip: string,
  ) {}

  private client() {
    return new ApiClient(this.t.url, this.token);
  }

  async post(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<Answer> {
    const answer = await this.client().request('POST', path, body, {
      'x-forwarded-for': this.ip,
      ...headers,
    });
    if (answer.status < 300 && answer.body?.position) this.lastPosition = answer.body.position;
    return answer;
  }

  say(body: string, messageId: string = randomUUID()): Promise<Answer> {
    return this.post(`/api/widget/sessions/${this.sessionId}/messages`, { messageId, body });
  }

  close(): Promise<Answer> {
    return this.post(`/api/widget/sessions/${this.sessionId}/close`);
  }

  solved(articleId: string): Promise<Answer> {
    return this.post(`/api/widget/sessions/${this.sessionId}/suggestions/${articleId}/solved`);
  }

  /** The visitor's view of their chat, after their own last write. */
  view(headers: Record<string, string> = {}, sessionId = this.sessionId): Promise<Answer> {
    return this.client().request('GET', `/api/widget/sessions/${sessionId}`, undefined, {
      'x-forwarded-for': this.ip,
      ...(this.lastPosition ? { 'x-min-position': this.lastPosition } : {}),
      ...headers,
    });
  }
}

export async function startVisitor(
  t: TestSystem,
  input: {
    name?: string;
    email?: string;
    widgetKey?: string;
    ip?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Visitor> {
  const ip = input.ip ?? freshIp();
  const answer = await t.anonymous.request(
    'POST',
    '/api/widget/sessions',
    {
      name: input.name ?? 'Vera Visitor',
      ...(input.email ? { email: input.email } : {}),
      widgetKey: input.widgetKey ?? 'demo',
    },
    { 'x-forwarded-for': ip, ...input.headers },
  );
  if (answer.status !== 200)
    throw new Error(`start session: ${answer.status} ${JSON.stringify(answer.body)}`);
  const visitor = new Visitor(t, answer.body.sessionId, answer.body.token, ip);
  visitor.lastPosition = answer.body.position;
  return visitor;
}

/** The position a staff client must wait for to see what a visitor did. */
export function seenBy(staff: ApiClient, visitor: Visitor): ApiClient {
  if (
    visitor.lastPosition &&
    (!staff.lastPosition || BigInt(visitor.lastPosition) > BigInt(staff.lastPosition))
  )
    staff.lastPosition = visitor.lastPosition;
  return staff;
}

export const session = async (staff: ApiClient, visitor: Visitor): Promise<any> =>
  (await seenBy(staff, visitor).get(`/api/livechat/sessions/${visitor.sessionId}`)).body;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the knowledge-base bot has read the session's last visitor message (answered it or
 * decided not to), and answers the position of the session's newest event: a read with that
 * X-Min-Position sees the bot's answer, if any. (settle() alone may return while a write is
 * committed but not yet readable, because an older transaction is still open.)
 */
export async function botHasRead(t: TestSystem, sessionId: string): Promise<string> {
  const { store, database } = t.system.platform;
  const stream = async () => store.readStream(`session-${sessionId}`);
  const lastVisitorMessage =
    (await stream()).filter((e) => e.type === 'VisitorMessagePosted').at(-1)?.position ?? 0n;
  for (let tries = 0; ; tries++) {
    await t.settle();
    const { rows } = await database.pool.query<{ position: string }>(
      `SELECT position FROM projection_checkpoints WHERE name = 'kb-bot'`,
    );
    if (BigInt(rows[0]?.position ?? -1) >= lastVisitorMessage) break;
    if (tries > 500) throw new Error(`the bot did not reach ${lastVisitorMessage}`);
    await pause(10);
  }
  return String((await stream()).at(-1)!.position);
}
