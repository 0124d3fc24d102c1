import { randomUUID } from 'node:crypto';
import type { Client } from './client';

/**
 * The organisation the simulated users work in, made through the real API: accounts created by
 * the demo administrator and each signed in once (their sessions are shared by the simulated
 * users: argon2 makes thousands of accounts slow to create), public channels every account joins,
 * and a history of messages to read and scroll through.
 */

export interface Account {
  userId: string;
  email: string;
  role: 'USER' | 'AGENT';
  token: string;
}

export interface World {
  users: Account[];
  agents: Account[];
  channels: string[];
}

export interface SetupOptions {
  accounts: number;
  agentAccounts: number;
  channels: number;
  messagesPerChannel: number;
}

const PASSWORD = 'load-test-password';
const ADMIN = { email: 'emma@demo.local', password: 'demo' };

/** Runs `task` for every item, `concurrency` at a time. */
export async function eachLimited<T>(
  items: T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index]!, index);
      }
    }),
  );
}

/** A distinct client address per caller, as a gateway would forward it (per-address limits are per person). */
export const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

async function expectOk(what: string, answer: Promise<{ status: number; body: unknown }>) {
  const { status, body } = await answer;
  if (status < 200 || status >= 300) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body)}`);
  return body as Record<string, unknown>;
}

async function signIn(client: Client, email: string, password: string, address: string): Promise<string> {
  const body = await expectOk(
    `sign in ${email}`,
    client.request('setup', 'POST', '/api/auth/login', {
      body: { email, password },
      headers: { 'x-forwarded-for': address },
      parse: true,
    }),
  );
  return body.token as string;
}

export async function setUpWorld(
  client: Client,
  options: SetupOptions,
  log: (line: string) => void,
): Promise<World> {
  const run = randomUUID().slice(0, 8);
  const admin = await signIn(client, ADMIN.email, ADMIN.password, addressOf(1));
  // A client retries a concurrency conflict (two joins of one channel at the same moment); ids make retries safe.
  const command = async (token: string, name: string, body: unknown) => {
    for (let attempt = 1; ; attempt++) {
      const answer = await client.request('setup', 'POST', `/api/commands/${name}`, {
        token,
        body,
        parse: true,
      });
      if (answer.status !== 409 || attempt === 5) return expectOk(name, Promise.resolve(answer));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
    }
  };

  const t0 = performance.now();
  const accounts = Array.from({ length: options.accounts }, (_, i) => ({
    userId: randomUUID(),
    email: `load-${run}-${i}@bench.local`,
    name: `Load ${i < options.agentAccounts ? 'Agent' : 'User'} ${i}`,
    role: (i < options.agentAccounts ? 'AGENT' : 'USER') as Account['role'],
  }));
  const tokens: string[] = [];
  await eachLimited(accounts, 4, async (account, i) => {
    await command(admin, 'CreateUser', {
      userId: account.userId,
      email: account.email,
      name: account.name,
      role: account.role,
      password: PASSWORD,
    });
    tokens[i] = await signIn(client, account.email, PASSWORD, addressOf(100 + i));
  });
  log(`  ${accounts.length} accounts created and signed in (${Math.round(performance.now() - t0)} ms)`);

  const t1 = performance.now();
  const channels = Array.from({ length: options.channels }, () => randomUUID());
  await eachLimited(channels, 4, async (channelId, k) => {
    await command(admin, 'CreateChannel', {
      channelId,
      name: `load-${run}-${k}`,
      visibility: 'public',
      description: 'Load test channel',
    });
  });
  const joins = accounts.flatMap((_, i) => channels.map((channelId) => ({ i, channelId })));
  await eachLimited(joins, Math.min(8, channels.length), async ({ i, channelId }) => {
    await command(tokens[i]!, 'JoinChannel', { channelId });
  });
  log(
    `  ${channels.length} public channels, joined by every account (${Math.round(performance.now() - t1)} ms)`,
  );

  const t2 = performance.now();
  const posts = channels.flatMap((channelId) =>
    Array.from({ length: options.messagesPerChannel }, (_, m) => ({ channelId, m })),
  );
  await eachLimited(posts, 16, async ({ channelId, m }) => {
    const author = Math.floor(Math.random() * accounts.length);
    await command(tokens[author]!, 'PostMessage', {
      channelId,
      messageId: randomUUID(),
      body: `History message ${m}: ${SENTENCES[m % SENTENCES.length]}`,
    });
  });
  log(`  ${posts.length} messages of history (${Math.round(performance.now() - t2)} ms)`);

  const all = accounts.map((a, i) => ({ userId: a.userId, email: a.email, role: a.role, token: tokens[i]! }));
  return {
    users: all.filter((a) => a.role === 'USER'),
    agents: all.filter((a) => a.role === 'AGENT'),
    channels,
  };
}

/** Waits until every projector has caught up with the head of the log. */
export async function settle(client: Client, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const answer = await client.request('setup', 'GET', '/api/projections', { parse: true });
    const items = (answer.body?.items ?? []) as { behind: boolean }[];
    if (answer.status === 200 && items.length > 0 && items.every((p) => !p.behind)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the projections did not catch up');
}

export const SENTENCES = [
  'The printer on floor 2 is offline again, can someone check?',
  'Release 4.2 goes out tonight at 22:00, freeze starts at 18:00.',
  'Thanks! That fixed it for me.',
  'Can we move the standup to 9:30 tomorrow?',
  'The customer from ticket 5812 called again about the invoice.',
  'Lunch order closes in 10 minutes, reply here if you want in.',
  'I pushed the new onboarding checklist to the shared drive.',
  'Is anyone else seeing slow logins on the VPN this morning?',
];
