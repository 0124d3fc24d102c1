import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot, signIn, type Person } from '../browser';
import { startPortal, type PortalServer } from '../portal-server';

let server: PortalServer;
let browser: Browser;
let ada: Person;

beforeAll(async () => {
  server = await startPortal();
  browser = await launchChromium();
  ada = await signIn(browser, server.url, 'ada@demo.local');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the audit screen', () => {
  it('an auditor browses the history and opens an event', async () => {
    const { page } = ada;
    await page.goto('/audit');
    await page.getByTestId('audit-event-row').first().waitFor();
    await page.getByTestId('filter-type').selectOption('MessageEdited');
    await page.getByTestId('apply-filters').click();
    await expect.poll(() => page.getByTestId('audit-event-row').count()).toBe(1);
    await page.getByTestId('audit-event-row').click();
    await expect(page.getByTestId('audit-event-details').textContent()).resolves.toContain(
      'the new Live chat queue',
    );
    await screenshot(page, 'audit-events');
  });

  it('replays a conversation: one step back, the message reads as it did before its edit', async () => {
    const { page } = ada;
    await page.getByTestId('audit-tab-timeline').click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=timeline-conversation] option')].some((o) =>
        o.textContent?.includes('general'),
      ),
    );
    const general = await page.$$eval('[data-testid=timeline-conversation] option', (options) =>
      options.find((o) => o.textContent?.includes('# general'))?.getAttribute('value'),
    );
    await page.getByTestId('timeline-conversation').selectOption(general!);
    const snapshot = page.getByTestId('channel-snapshot');
    await expect.poll(() => snapshot.textContent()).toContain('the new Live chat queue goes live today');
    // Back to the edit, then one step further: the original words.
    const slider = page.getByTestId('timeline-slider');
    const steps = Number(await slider.getAttribute('max'));
    const previous = page.getByRole('button', { name: 'Previous event' });
    for (let i = 0; i < steps; i++) {
      await previous.click();
      if ((await page.locator('.scrub-info strong').textContent()) === 'Message edited') break;
    }
    await previous.click();
    await expect
      .poll(() => snapshot.textContent(), { timeout: 10_000 })
      .toContain('the new support queue goes live today');
    await screenshot(page, 'audit-timeline');
  });

  it('verifies every chain and lists who did what', async () => {
    const { page } = ada;
    await page.getByTestId('audit-tab-verify').click();
    await page.getByTestId('verify-all').click();
    await expect
      .poll(() => page.getByTestId('verify-result').textContent())
      .toContain('The history is intact');
    await page.getByTestId('audit-tab-actors').click();
    const mitch = await page.$$eval('[data-testid=actor-select] option', (options) =>
      options.find((o) => o.textContent?.includes('Mitch'))?.getAttribute('value'),
    );
    await page.getByTestId('actor-select').selectOption(mitch!);
    await expect.poll(() => page.getByTestId('actor-commands').textContent()).toContain('EditMessage');
  });

  it('is not there for other staff', async () => {
    const jamie = await signIn(browser, server.url, 'jamie@demo.local');
    await jamie.page.goto('/audit');
    await jamie.page.waitForURL(/\/messages/);
    expect(await jamie.page.getByTestId('nav-audit').count()).toBe(0);
    await jamie.close();
  });
});
