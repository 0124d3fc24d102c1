import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn, type Person } from './browser';
import { startPortal, type PortalServer } from './portal-server';

/** One poll of the open conversation (3 s) plus the answer's own time. */
const ONE_POLL = 6_000;

let server: PortalServer;
let browser: Browser;
let emma: Person;
let jamie: Person;

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 6)}`;

async function createChannel(
  page: Page,
  typedName: string,
  visibility: 'public' | 'private' = 'public',
): Promise<void> {
  await page.getByTestId('new-channel').click();
  await page.getByTestId(`visibility-${visibility}`).check({ force: true });
  await page.getByTestId('channel-name').fill(typedName);
  await page.getByTestId('create-channel').click();
}

/** Opens a channel from the sidebar, waiting for a sidebar poll to list it if need be. */
async function openChannel(page: Page, name: string): Promise<void> {
  await page.getByTestId(`channel-item-${name}`).click({ timeout: ONE_POLL * 2 });
  await page.getByTestId(`conversation-${name}`).waitFor();
}

async function post(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
  // Shown at once, then confirmed by the server (no longer marked pending).
  await message(page, text).and(page.locator('[data-testid="message"]:not([data-pending])')).waitFor();
}

/** The message whose own text (not a quote of it) contains `text`. */
function message(page: Page, text: string) {
  return page
    .getByTestId('message')
    .filter({ has: page.getByTestId('message-body').filter({ hasText: text }) });
}

/** Starts (or reopens) a DM from the New message dialog; answers the conversation id. */
async function openDirectMessage(page: Page, email: string): Promise<string> {
  await page.getByTestId('new-dm').click();
  await page.getByTestId('user-picker-search').fill(email.split('@')[0]!);
  const name = (await page.getByTestId(`user-option-${email}`).locator('.name').textContent())!.trim();
  await page.getByTestId(`user-option-${email}`).click();
  await expect.poll(() => page.getByTestId('channel-title').textContent()).toContain(name);
  return page.url().split('/messages/')[1]!;
}

async function hoverAction(page: Page, text: string, action: string): Promise<void> {
  const item = message(page, text);
  await item.hover();
  await item.getByTestId(action).click();
}

describe('Team chat in the browser', () => {
  beforeAll(async () => {
    server = await startPortal();
    browser = await launchChromium();
    emma = await signIn(browser, server.url, 'emma@demo.local');
    jamie = await signIn(browser, server.url, 'jamie@demo.local');
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  }, 30_000);

  it('signs in, refusing a wrong password with a clear message', async () => {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await page.goto('/messages');
    await page.waitForURL(/\/login\?next=(%2F|\/)messages/);
    await page.getByTestId('login-email').fill('emma@demo.local');
    await page.getByTestId('login-password').fill('wrong');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('do not match');
    await screenshot(page, 'sign-in-error');
    await page.getByTestId('login-password').fill('demo');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/messages/);
    await expect.poll(() => page.title()).toContain('Team chat');
    await context.close();
  });

  it('creates a public channel that another user joins, seeing the first message within one poll', async () => {
    const name = unique('proj-carms-court');
    await createChannel(emma.page, `${name.toUpperCase().replaceAll('-', ' ')} `);
    await emma.page.getByTestId(`conversation-${name}`).waitFor();
    await post(
      emma.page,
      'Kick-off for the Carms Court refurbishment is Thursday at 10:00. Agenda: https://example.com/agenda',
    );

    await openChannel(jamie.page, name);
    await message(jamie.page, 'Kick-off for the Carms Court').waitFor({ timeout: ONE_POLL });
    await jamie.page.getByTestId('join-channel').click();
    await post(jamie.page, 'Count me in. I will bring the floor plans.');
    await message(emma.page, 'Count me in').waitFor({ timeout: ONE_POLL });
    await post(emma.page, 'Great, thanks Jamie!');
    await screenshot(emma.page, 'team-chat-channel');
  });

  it('edits, reacts and unreacts, quote-replies and deletes, and the other user sees each change', async () => {
    const name = unique('edits');
    await createChannel(emma.page, name);
    await emma.page.getByTestId(`conversation-${name}`).waitFor();
    await openChannel(jamie.page, name);
    await jamie.page.getByTestId('join-channel').click();
    await post(emma.page, 'Draft agenda v1');

    await hoverAction(emma.page, 'Draft agenda v1', 'edit-button');
    await emma.page.getByTestId('edit-input').fill('Draft agenda v2');
    await emma.page.getByTestId('edit-input').press('Enter');
    await message(jamie.page, 'Draft agenda v2').getByTestId('message-edited').waitFor({ timeout: ONE_POLL });

    await hoverAction(jamie.page, 'Draft agenda v2', 'react-button');
    await jamie.page.getByTestId('pick-🎉').click();
    const chip = message(emma.page, 'Draft agenda v2').getByTestId('reaction-🎉');
    await chip.waitFor({ timeout: ONE_POLL });
    await expect.poll(() => chip.getByTestId('reaction-count').textContent()).toBe('1');
    await message(jamie.page, 'Draft agenda v2').getByTestId('reaction-🎉').click();
    await chip.waitFor({ state: 'detached', timeout: ONE_POLL });

    await hoverAction(jamie.page, 'Draft agenda v2', 'reply-button');
    await jamie.page.getByTestId('replying-to').waitFor();
    await post(jamie.page, 'Looks good to me');
    const reply = message(emma.page, 'Looks good to me');
    await reply
      .getByTestId('message-quote')
      .filter({ hasText: 'Draft agenda v2' })
      .waitFor({ timeout: ONE_POLL });

    await hoverAction(emma.page, 'Draft agenda v2', 'delete-button');
    await emma.page.getByTestId('confirm-button').click();
    await jamie.page.getByTestId('message-deleted').waitFor({ timeout: ONE_POLL });
    await message(jamie.page, 'Looks good to me').getByTestId('quote-deleted').waitFor({ timeout: ONE_POLL });
    expect(await jamie.page.getByText('Draft agenda v2').count()).toBe(0);
    await screenshot(jamie.page, 'team-chat-edits');
  });

  it('uploads an image and a PDF, shows them, and downloads them', async () => {
    const name = unique('files');
    await createChannel(emma.page, name);
    await emma.page.getByTestId(`conversation-${name}`).waitFor();
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEJMDGgAmQ+AwAj8gICDm+fBwAAAABJRU5ErkJggg==',
      'base64',
    );
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );
    await emma.page.getByTestId('file-input').setInputFiles([
      { name: 'floor-plan.png', mimeType: 'image/png', buffer: png },
      { name: 'quote.pdf', mimeType: 'application/pdf', buffer: pdf },
    ]);
    await expect.poll(() => emma.page.getByTestId('send-button').isEnabled(), { timeout: 10_000 }).toBe(true);
    await emma.page.getByTestId('composer-input').fill('Plans attached');
    await emma.page.getByTestId('send-button').click();
    const sent = message(emma.page, 'Plans attached');
    await sent.getByTestId('attachment-image').waitFor({ timeout: ONE_POLL });
    await sent.getByTestId('attachment-file').filter({ hasText: 'quote.pdf' }).waitFor();

    const imageUrl = await sent.getByTestId('attachment-image').getAttribute('href');
    const image = await emma.page.request.get(imageUrl!);
    expect(image.status()).toBe(200);
    expect(Buffer.from(await image.body()).equals(png)).toBe(true);

    const [download] = await Promise.all([
      emma.page.waitForEvent('download'),
      sent.getByTestId('attachment-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('quote.pdf');
    const saved = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(saved).equals(pdf)).toBe(true);
    await screenshot(emma.page, 'team-chat-attachments');
  });

  it('counts unread messages for the other user, clears them on open, and hides them when muted', async () => {
    const name = unique('unread');
    const other = unique('elsewhere');
    await createChannel(emma.page, name);
    await emma.page.getByTestId(`conversation-${name}`).waitFor();
    await createChannel(jamie.page, other);
    await jamie.page.getByTestId(`conversation-${other}`).waitFor();
    await openChannel(jamie.page, name);
    await jamie.page.getByTestId('join-channel').click();
    await jamie.page.getByTestId('composer-input').waitFor();
    await openChannel(jamie.page, other);

    // The badge arrives with the open conversation's poll: one request for both.
    const reads: string[] = [];
    const noteRead = (request: { method(): string; url(): string }) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === 'GET' && path.startsWith('/api/')) reads.push(path);
    };
    jamie.page.on('request', noteRead);
    await post(emma.page, 'Unread one');
    await post(emma.page, 'Unread two');
    const badge = jamie.page.getByTestId(`channel-item-${name}`).getByTestId('unread-badge');
    await expect.poll(() => badge.textContent(), { timeout: ONE_POLL * 2 }).toBe('2');
    jamie.page.off('request', noteRead);
    expect(reads.length).toBeGreaterThan(0);
    expect(new Set(reads)).toEqual(new Set(['/api/team-chat/poll']));
    await screenshot(jamie.page, 'team-chat-unread');

    await openChannel(jamie.page, name);
    await openChannel(jamie.page, other);
    await expect.poll(() => badge.count(), { timeout: ONE_POLL }).toBe(0);

    await openChannel(jamie.page, name);
    await jamie.page.getByTestId('mute-toggle').click();
    await expect.poll(() => jamie.page.getByTestId('mute-toggle').getAttribute('aria-pressed')).toBe('true');
    await openChannel(jamie.page, other);
    await post(emma.page, 'While muted');
    await jamie.page.waitForTimeout(ONE_POLL);
    expect(await badge.count()).toBe(0);
  });

  it('keeps a private channel invisible to a non-member', async () => {
    const name = unique('secret');
    await createChannel(emma.page, name, 'private');
    await emma.page.getByTestId(`conversation-${name}`).waitFor();
    const channelId = emma.page.url().split('/messages/')[1]!;
    await post(emma.page, 'Only for members');

    await jamie.page.waitForTimeout(ONE_POLL);
    expect(await jamie.page.getByTestId(`channel-item-${name}`).count()).toBe(0);
    const answer = await jamie.page.request.get(`/api/channels/${channelId}/messages`);
    expect(answer.status()).toBe(404);
    await jamie.page.goto(`/messages/${channelId}`);
    await jamie.page.getByText('This conversation is not available').waitFor();
    expect(await jamie.page.getByText('Only for members').count()).toBe(0);
  });

  it('opens one direct conversation whichever side starts it', async () => {
    const fromEmma = await openDirectMessage(emma.page, 'jamie@demo.local');
    await post(emma.page, 'Quick question for you');

    await jamie.page.goto('/messages');
    expect(await openDirectMessage(jamie.page, 'emma@demo.local')).toBe(fromEmma);
    await message(jamie.page, 'Quick question for you').waitFor({ timeout: ONE_POLL });
    await screenshot(jamie.page, 'team-chat-dm');
  });

  it('shows markup in a message as text and runs nothing', async () => {
    const name = unique('markup');
    await createChannel(emma.page, name);
    await emma.page.getByTestId(`conversation-${name}`).waitFor();
    const payload = '<img src=x onerror=alert(1)> and <script>alert(2)</script>';
    await post(emma.page, payload);
    await openChannel(jamie.page, name);
    const shown = message(jamie.page, '<img src=x onerror=alert(1)>');
    await shown.waitFor({ timeout: ONE_POLL });
    expect(await shown.getByTestId('message-body').innerText()).toContain(payload);
    expect(await shown.locator('img[src="x"], script').count()).toBe(0);
    await jamie.page.waitForTimeout(500);
    expect([...emma.dialogs, ...jamie.dialogs]).toEqual([]);
    await screenshot(jamie.page, 'team-chat-markup-as-text');
  });
});
