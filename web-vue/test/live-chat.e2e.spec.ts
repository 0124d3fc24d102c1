import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot, signIn, type Person } from './browser';
import { startPortal, type PortalServer } from './portal-server';

/** The queue refreshes every 10 s; one refresh plus its answer. */
const ONE_REFRESH = 14_000;
/** An open session refreshes every 3 s. */
const ONE_POLL = 6_000;

let server: PortalServer;
let browser: Browser;
let mitch: Person;
let morgan: Person;

interface Visitor {
  sessionId: string;
  token: string;
  name: string;
}

/** A visitor starting a chat through the widget API, as the widget on a customer site does. */
async function startVisitorChat(name: string, firstMessage: string): Promise<Visitor> {
  const started = await fetch(`${server.url}/api/widget/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      email: `${name.split(' ')[0]!.toLowerCase()}@example.org`,
      widgetKey: 'demo',
    }),
  });
  expect(started.status).toBe(200);
  const { sessionId, token } = (await started.json()) as { sessionId: string; token: string };
  const sent = await fetch(`${server.url}/api/widget/sessions/${sessionId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ messageId: randomUUID(), body: firstMessage }),
  });
  expect(sent.status).toBe(200);
  return { sessionId, token, name };
}

async function visitorSees(
  visitor: Visitor,
): Promise<{ status: string; messages: { from: string; body: string }[] }> {
  const answer = await fetch(`${server.url}/api/widget/sessions/${visitor.sessionId}`, {
    headers: { authorization: `Bearer ${visitor.token}` },
  });
  return (await answer.json()) as { status: string; messages: { from: string; body: string }[] };
}

describe('Live chat in the browser', () => {
  beforeAll(async () => {
    server = await startPortal();
    browser = await launchChromium();
    mitch = await signIn(browser, server.url, 'mitch@demo.local');
    morgan = await signIn(browser, server.url, 'morgan@demo.local');
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 30_000);

  it('shows a session started through the widget in the queue within one refresh', async () => {
    await mitch.page.getByTestId('nav-live-chat').click();
    await mitch.page.getByTestId('kpi-waiting').waitFor();
    const visitor = await startVisitorChat('Olivia Hart', 'Hi, I cannot reset my password');
    const row = mitch.page.locator(`[data-visitor="${visitor.name}"]`);
    await row.waitFor({ timeout: ONE_REFRESH });
    expect(await row.textContent()).toContain('Waiting');
    expect(await row.textContent()).toContain('Unassigned');
    await screenshot(mitch.page, 'live-chat-queue');
  });

  it('lets exactly one of two agents take a session, tells the other who did, and carries on to a ticket', async () => {
    const visitor = await startVisitorChat('Daniel Brooks', 'My refund has not arrived, order 44120');
    const path = `/chat/${visitor.sessionId}`;
    await Promise.all([mitch.page.goto(path), morgan.page.goto(path)]);
    await Promise.all([
      mitch.page.getByTestId('take-session').waitFor(),
      morgan.page.getByTestId('take-session').waitFor(),
    ]);

    await Promise.all([
      mitch.page.getByTestId('take-session').click(),
      morgan.page.getByTestId('take-session').click(),
    ]);
    const outcome = async (person: Person) => {
      await expect
        .poll(
          async () =>
            (await person.page.getByTestId('reply-composer').count()) +
            (await person.page.getByTestId('take-conflict').count()),
          { timeout: ONE_POLL },
        )
        .toBe(1);
      return (await person.page.getByTestId('reply-composer').count()) === 1 ? 'won' : 'lost';
    };
    const results = await Promise.all([outcome(mitch), outcome(morgan)]);
    expect([...results].sort()).toEqual(['lost', 'won']);
    const winner = results[0] === 'won' ? mitch : morgan;
    const loser = results[0] === 'won' ? morgan : mitch;
    const winnerName = (await winner.page.getByTestId('session-agent').textContent())!.trim();
    expect(await loser.page.getByTestId('take-conflict').textContent()).toContain(
      `${winnerName} took this conversation first`,
    );
    await screenshot(loser.page, 'live-chat-take-conflict');

    await winner.page.getByTestId('reply-input').fill('Hi Daniel, I am looking into order 44120 now.');
    await winner.page.getByTestId('reply-input').press('Enter');
    await winner.page.getByTestId('transcript-agent').filter({ hasText: 'order 44120 now' }).waitFor();
    await expect
      .poll(async () =>
        (await visitorSees(visitor)).messages.some(
          (m) => m.from === 'agent' && m.body.includes('order 44120 now'),
        ),
      )
      .toBe(true);
    await screenshot(winner.page, 'live-chat-session');

    await winner.page.getByTestId('close-session').click();
    await winner.page.getByTestId('confirm-button').click();
    await expect.poll(() => winner.page.getByTestId('session-status').textContent()).toBe('Closed');
    await expect.poll(async () => (await visitorSees(visitor)).status).toBe('CLOSED');

    await winner.page.getByTestId('link-ticket').click();
    await winner.page.getByTestId('ticket-subject').fill('Refund for order 44120');
    await winner.page.getByTestId('link-ticket-submit').click();
    await winner.page.getByTestId('ticket-link').click();
    await expect
      .poll(() => winner.page.getByTestId('ticket-subject').textContent())
      .toBe('Refund for order 44120');
    const transcript = winner.page.getByTestId('ticket-transcript');
    await transcript.getByText('My refund has not arrived, order 44120').waitFor();
    await transcript.getByText('I am looking into order 44120 now.').waitFor();
    await screenshot(winner.page, 'helpdesk-ticket-transcript');
  });
});
