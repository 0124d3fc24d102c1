import { randomUUID } from 'node:crypto';
import { startTestSystem, type ApiClient, type TestSystem } from '@chat/app/testing/test-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/seed/demo';
import { demoArticleId, demoArticles, demoSessionId } from '../../src/seed/live-chat';
import { demoId } from '../../src/seed/ids';
import { botHasRead, startVisitor, type Visitor } from '../../src/live-chat/testing';

/** The visitor's next read waits for the bot's answer to what they wrote last (if it gave one). */
async function settled(t: TestSystem, visitor: Visitor): Promise<Visitor> {
  visitor.lastPosition = await botHasRead(t, visitor.sessionId);
  return visitor;
}

/** The bot's answer to a visitor's question, once the reactors have caught up. */
async function botAnswer(
  t: TestSystem,
  question: string,
  options: { before?: (sessionId: string) => Promise<void> } = {},
) {
  const visitor = await startVisitor(t);
  await options.before?.(visitor.sessionId);
  await visitor.say(question);
  const view = await (await settled(t, visitor)).view();
  const bot = view.body.messages.filter((m: { from: string }) => m.from === 'bot');
  return {
    visitor,
    bot,
    titles: bot.flatMap((m: { suggestions: { title: string }[] }) =>
      m.suggestions.map((s) => s.title),
    ) as string[],
  };
}

describe('the knowledge-base bot and the knowledge base', () => {
  let t: TestSystem;
  let morgan: ApiClient;
  let mitch: ApiClient;
  beforeAll(async () => {
    t = await startTestSystem();
    [morgan, mitch] = await Promise.all([t.login('morgan@demo.local'), t.login('mitch@demo.local')]);
    await t.settle();
  }, 180_000);
  afterAll(async () => t?.close());

  it("seeds the demo Live chat: articles, Jane waiting with the bot's suggestions, Emma active, closed ones, a linked ticket; seeding again changes nothing", async () => {
    const articles = await morgan.get('/api/kb/articles');
    expect(articles.body.items.map((a: { title: string }) => a.title)).toEqual(
      expect.arrayContaining(demoArticles.map((a) => a.title)),
    );
    mitch.lastPosition = await botHasRead(t, demoSessionId('jane'));
    const jane = (await mitch.get(`/api/livechat/sessions/${demoSessionId('jane')}`)).body;
    expect(jane).toMatchObject({
      visitorName: 'Jane (visitor)',
      status: 'WAITING',
      agent: null,
      messageCount: 3,
    });
    const suggested = jane.messages
      .filter((m: { from: string }) => m.from === 'bot')
      .flatMap((m: { suggestions: { title: string }[] }) => m.suggestions.map((s) => s.title));
    expect(suggested).toEqual(expect.arrayContaining(['Reset your password', 'Set up the VPN']));
    const liam = (await mitch.get(`/api/livechat/sessions/${demoSessionId('liam')}`)).body;
    expect(liam).toMatchObject({ status: 'ACTIVE', agent: { name: 'Emma' } });
    expect(liam.waitingSince).toBe(liam.messages.at(-1).createdAt);
    const closed = (await mitch.get('/api/livechat/sessions?status=closed')).body.items;
    expect(closed.length).toBeGreaterThanOrEqual(4);
    expect(closed.filter((s: { resolution: string }) => s.resolution === 'self-served')).toHaveLength(1);
    const ticket = (await mitch.get(`/api/tickets/${demoId('ticket:printer-floor-2')}`)).body;
    expect(ticket).toMatchObject({
      subject: 'Printer on floor 2 offline',
      requesterName: 'Noah Patel',
      sessionIds: [demoSessionId('noah')],
    });
    expect(ticket.sessions[0].messages.length).toBeGreaterThanOrEqual(2);
    const kpis = (await mitch.get('/api/livechat/kpis')).body;
    expect(kpis).toMatchObject({ waiting: 1, active: 1, unassigned: 1, selfServed: 1 });

    const head = await t.system.platform.store.headPosition();
    await seedDemo(t.system.bus);
    expect(await t.system.platform.store.headPosition()).toBe(head);
  });

  it.each([
    ['I forgot my password, how can I reset it?', 'Reset your password'],
    ['My VPN keeps disconnecting when I work from home', 'Set up the VPN'],
    ['Where can I download the agent installer?', 'Download link for the agent installer'],
    ['The printer on my floor is offline', 'Printer shows as offline'],
    ["I need a copy of last month's invoice", 'Get a copy of an invoice'],
    ['How do I set up MFA on my new phone?', 'Enrol in multi-factor authentication (MFA)'],
  ])('suggests the right article for "%s"', async (question, title) => {
    const { bot, titles } = await botAnswer(t, question);
    expect(bot).toHaveLength(1);
    expect(titles[0]).toBe(title);
    expect(titles.length).toBeLessThanOrEqual(3);
    expect(bot[0].body).toBeTruthy();
  });

  it.each([
    'qwzx blorft zzyzx',
    "What's the weather like on Mars?",
    'Hello, anyone there?',
    'two',
    'It shows a blue screen',
  ])('says nothing when nothing matches well enough: "%s"', async (question) => {
    expect((await botAnswer(t, question)).bot).toEqual([]);
  });

  it('never speaks once an agent has joined', async () => {
    const joinedFirst = await botAnswer(t, 'I forgot my password, how can I reset it?', {
      before: async (sessionId) => void (await mitch.command('JoinSession', { sessionId })),
    });
    expect(joinedFirst.bot).toEqual([]);
    // Joined after the message, before the bot got to it (the runner is held back meanwhile): still nothing.
    await t.system.runner.stop();
    const visitor = await startVisitor(t);
    await visitor.say('My VPN keeps disconnecting when I work from home');
    await mitch.command('JoinSession', { sessionId: visitor.sessionId });
    t.system.runner.start();
    expect(
      (await (await settled(t, visitor)).view()).body.messages.filter(
        (m: { from: string }) => m.from === 'bot',
      ),
    ).toEqual([]);
  });

  it('answers each visitor message at most once, even when the bot reads the whole log again', async () => {
    const { visitor } = await botAnswer(t, 'The printer on my floor is offline');
    const count = async () =>
      (await t.system.platform.store.readAll(-1n, 100_000)).filter((e) => e.type === 'ArticlesSuggested')
        .length;
    const before = await count();
    await t.system.platform.database.pool.query(
      `UPDATE projection_checkpoints SET position = -1 WHERE name = 'kb-bot'`,
    );
    await settled(t, visitor);
    expect(await count()).toBe(before);
    const bot = (await visitor.view()).body.messages.filter((m: { from: string }) => m.from === 'bot');
    expect(bot).toHaveLength(1);
  });

  it('a visitor opens a suggestion without signing in, and "this solved it" closes the chat as self-served', async () => {
    const { visitor, bot } = await botAnswer(t, 'How can I get a copy of my invoice?');
    const articleId = bot[0].suggestions[0].articleId;
    const article = await t.anonymous.request('GET', `/api/kb/articles/${articleId}`, undefined, {
      authorization: `Bearer ${visitor.token}`,
    });
    expect(article.status).toBe(200);
    expect(article.body).toMatchObject({ id: articleId, title: 'Get a copy of an invoice' });
    expect((await t.anonymous.request('GET', `/api/kb/articles/${articleId}`)).status).toBe(200);
    const kpisBefore = (await mitch.get('/api/livechat/kpis')).body;

    expect((await visitor.solved(randomUUID())).status).toBe(404);
    expect((await visitor.solved(articleId)).status).toBe(200);
    expect((await visitor.view()).body.status).toBe('CLOSED');
    mitch.lastPosition = visitor.lastPosition;
    const detail = (await mitch.get(`/api/livechat/sessions/${visitor.sessionId}`)).body;
    expect(detail).toMatchObject({ status: 'CLOSED', resolution: 'self-served' });
    const kpis = (await mitch.get('/api/livechat/kpis')).body;
    expect(kpis.selfServed).toBe(kpisBefore.selfServed + 1);
    expect(kpis.closed).toBe(kpisBefore.closed + 1);
    expect((await visitor.say('one more thing')).status).toBe(409);
  });

  it('ranks articles by full-text relevance with English stemming, the title above the body', async () => {
    const inTitle = randomUUID();
    const inBody = randomUUID();
    await morgan.command('PublishArticle', {
      articleId: inBody,
      title: 'Office hours',
      body: 'Opening times of the reception. The zeppelin club meets on Fridays.',
    });
    await morgan.command('PublishArticle', {
      articleId: inTitle,
      title: 'Zeppelin parking',
      body: 'Where to park.',
    });
    const ranked = await morgan.get('/api/kb/articles?q=zeppelins');
    expect(ranked.body.items.map((a: { id: string }) => a.id)).toEqual([inTitle, inBody]);
    expect(ranked.body.items[0].rank).toBeGreaterThan(ranked.body.items[1].rank);
    const stemmed = await morgan.get(`/api/kb/articles?q=${encodeURIComponent('resetting passwords')}`);
    expect(stemmed.body.items[0].id).toBe(demoArticleId('password-reset'));
    // No article has every word: the best of those with any of them.
    const loose = await morgan.get(`/api/kb/articles?q=${encodeURIComponent('printer invoice')}`);
    expect(loose.body.items.map((a: { id: string }) => a.id).sort()).toEqual(
      [demoArticleId('printer-offline'), demoArticleId('invoice-copy')].sort(),
    );
    const all = await morgan.get('/api/kb/articles');
    expect(all.body.items.length).toBeGreaterThanOrEqual(8);
    expect((await morgan.get('/api/kb/articles', { 'if-none-match': all.headers.get('etag')! })).status).toBe(
      304,
    );
  });

  it('edits and archives articles: an archived one is neither found, shown nor suggested', async () => {
    const articleId = randomUUID();
    await morgan.command('PublishArticle', {
      articleId,
      title: 'Badge replacement',
      body: 'Lost your badge? Ask reception for a replacement badge.',
    });
    expect((await morgan.command('UpdateArticle', { articleId, title: 'Replace a lost badge' })).status).toBe(
      200,
    );
    expect(
      (await t.anonymous.get(`/api/kb/articles/${articleId}`, { 'x-min-position': morgan.lastPosition! }))
        .body.title,
    ).toBe('Replace a lost badge');
    expect((await botAnswer(t, 'I lost my badge')).titles).toEqual(['Replace a lost badge']);
    expect((await morgan.command('ArchiveArticle', { articleId })).status).toBe(200);
    expect(
      (await t.anonymous.get(`/api/kb/articles/${articleId}`, { 'x-min-position': morgan.lastPosition! }))
        .status,
    ).toBe(404);
    expect((await morgan.get('/api/kb/articles?q=badge')).body.items).toEqual([]);
    expect((await botAnswer(t, 'I lost my badge')).bot).toEqual([]);
    expect((await morgan.command('UpdateArticle', { articleId, body: 'x' })).status).toBe(409);
  });
});
