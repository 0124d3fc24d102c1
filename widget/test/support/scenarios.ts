import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, ConsoleMessage, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatFrame,
  fillPrechat,
  launchChromium,
  launcher,
  openChat,
  say,
  seeded,
  shownMessages,
  waitForLauncher,
} from './browser';
import { startHostSite } from './servers';

/** What the browser scenarios need from a portal: the real one, or the in-memory stand-in. */
export interface Backend {
  /** The portal's origin as the browser reaches it, e.g. http://localhost:3000. */
  portal: string;
  agentJoins(sessionId: string): Promise<void>;
  agentSays(sessionId: string, body: string): Promise<void>;
  stop(): Promise<void>;
}

export type ScenarioName =
  | 'embeds'
  | 'conversation'
  | 'article'
  | 'token'
  | 'refused'
  | 'flaky'
  | 'unread'
  | 'restart'
  | 'cross-site'
  | 'clean';

export interface ScenarioOptions {
  /** Starts the portal once the allowed host page's port is known. */
  start(hostPort: number): Promise<Backend>;
  /** Scenarios that cannot run against this backend yet, with the reason. */
  pending?: Partial<Record<ScenarioName, string>>;
}

const VIEWPORT = { width: 1100, height: 760 };

/** Reads what the chat stored, as only the test (not the host page) can: it is the iframe's storage. */
async function storedChat(frame: Frame): Promise<{ sessionId: string; token: string }> {
  const stored = await frame.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!;
      if (key.startsWith('portal-chat:')) return JSON.parse(localStorage.getItem(key)!);
    }
    return null;
  });
  expect(stored?.session?.token).toBeTruthy();
  return stored.session;
}

async function serverMessages(portal: string, session: { sessionId: string; token: string }) {
  const res = await fetch(`${portal}/api/widget/sessions/${session.sessionId}`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; messages: { id: string; from: string; body: string }[] };
}

async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * Issue 6's browser checks: a host page on another origin embeds the widget; a visitor chats with
 * the bot and an agent; the host page cannot reach the token; other origins are refused; flaky
 * sends end up exactly once.
 */
export function widgetScenarios(title: string, options: ScenarioOptions): void {
  const pending = options.pending ?? {};
  const scenario = (name: ScenarioName, label: string, body: () => Promise<void>, timeout?: number) => {
    if (pending[name]) it.skip(`${label} (pending: ${pending[name]})`, body, timeout);
    else it(label, body, timeout);
  };

  describe(title, () => {
    let browser: Browser;
    let backend: Backend;
    let portal = '';
    let host: Awaited<ReturnType<typeof startHostSite>>;
    const contexts: BrowserContext[] = [];
    const problems: string[] = [];

    beforeAll(async () => {
      host = await startHostSite(() => portal);
      backend = await options.start(host.port);
      portal = backend.portal;
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser?.close();
      await backend?.stop();
      await host?.close();
    });

    async function newPage(viewport = VIEWPORT, watch = true): Promise<Page> {
      const context = await browser.newContext({ viewport });
      contexts.push(context);
      const page = await context.newPage();
      // Any CSP or Trusted Types violation in the chat or loader is a bug (except where provoked).
      page.on('console', (m: ConsoleMessage) => {
        if (watch && /Content Security Policy|TrustedHTML|TrustedScript|Refused to/i.test(m.text()))
          problems.push(m.text());
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      return page;
    }

    scenario(
      'embeds',
      'draws only a labelled launcher on the host page, in a closed shadow root, one global at most',
      async () => {
        const page = await newPage();
        await page.goto(`${host.origin}/bare`);
        const before = await page.evaluate(() => Object.getOwnPropertyNames(window));
        await page.goto(`${host.origin}/`);
        const button = await waitForLauncher(page);
        expect(button.name).toBe('Open chat');
        expect(button.expanded).toBe(false);
        const after = await page.evaluate(() => Object.getOwnPropertyNames(window));
        expect(after.filter((name) => !before.includes(name))).toEqual(['PortalChat']);
        const shape = await page.evaluate(() => ({
          api: Object.keys(window.PortalChat ?? {}).sort(),
          hosts: document.querySelectorAll('portal-chat-widget').length,
          shadowReachable: document.querySelector('portal-chat-widget')?.shadowRoot !== null,
          iframes: document.querySelectorAll('iframe').length,
          frames: window.frames.length,
        }));
        // Nothing but the launcher until the visitor clicks; and the hostile page CSS did not hide it.
        expect(shape).toEqual({
          api: ['close', 'open', 'toggle'],
          hosts: 1,
          shadowReachable: false,
          iframes: 0,
          frames: 0,
        });

        // Keyboard: the launcher is reachable with Tab and opens with Enter.
        await page.keyboard.press('Tab'); // the page's own link
        await page.keyboard.press('Tab'); // the launcher
        await page.keyboard.press('Enter');
        const frame = await chatFrame(page);
        await frame.waitForSelector('#name');
        expect((await launcher(page))?.expanded).toBe(true);
        // Escape inside the chat closes it and gives focus back to the launcher.
        await frame.focus('#name');
        await page.keyboard.press('Escape');
        await until(async () => (await launcher(page))?.expanded === false, 5_000, 'the panel to close');
      },
    );

    scenario(
      'conversation',
      'a visitor chats with the bot and an agent; a reload keeps the conversation; End chat closes it',
      async () => {
        const page = await newPage();
        await page.goto(`${host.origin}/`);
        const frame = await openChat(page);
        await fillPrechat(frame, 'Dana Visitor', 'dana@example.com');
        await say(frame, 'how do I reset my password');

        // The bot suggests the password article.
        const suggestion = await frame.waitForSelector('.msg.bot .card-open', { timeout: 20_000 });
        expect(await suggestion.textContent()).toMatch(/password/i);
        expect(await frame.textContent('.status')).toMatch(/queue|shortly/i);

        // An agent takes the session and replies; the visitor sees it within one poll (3 s).
        const session = await storedChat(frame);
        await backend.agentJoins(session.sessionId);
        const reply = `Hi Dana, Mitch here. ${randomUUID().slice(0, 8)}`;
        await backend.agentSays(session.sessionId, reply);
        const sentAt = Date.now();
        await frame.waitForSelector(`.msg.agent .bubble >> text=${reply}`, { timeout: 6_000 });
        expect(Date.now() - sentAt).toBeLessThan(3_000 + 2_500);
        expect(await frame.textContent('.messages')).toMatch(/joined the chat/);

        // Reload the host page: the chat reopens with the whole conversation.
        await page.reload();
        const again = await openChat(page);
        await again.waitForSelector(`.msg.agent .bubble >> text=${reply}`, { timeout: 10_000 });
        expect(await shownMessages(again, 'visitor')).toEqual(['how do I reset my password']);
        expect((await storedChat(again)).sessionId).toBe(session.sessionId);

        // End chat (confirm first).
        await again.click('.header-button');
        await again.click('.confirm .danger');
        await again.waitForSelector('.notice >> text=This chat has ended', { timeout: 10_000 });
        expect((await serverMessages(portal, session)).status).toBe('CLOSED');
      },
      90_000,
    );

    scenario(
      'article',
      'a suggested article opens in the reader, and "This solved it" is recorded',
      async () => {
        const page = await newPage();
        await page.goto(`${host.origin}/`);
        const frame = await openChat(page);
        await fillPrechat(frame, 'Reader');
        await say(frame, 'I forgot my password, how do I reset it?');
        await frame.click('.msg.bot .card-open', { timeout: 20_000 });
        await frame.waitForSelector('.reader:not([hidden]) .reader-body p', { timeout: 10_000 });
        expect(await frame.textContent('.reader h2')).toMatch(/password/i);
        expect(await frame.$('.reader .field-error')).toBeNull();
        await frame.click('.reader-footer .primary');
        await frame.waitForSelector('.reader-footer .card-solved');
        await frame.click('.reader-back');
        await frame.waitForSelector('.card-solved');
      },
    );

    scenario(
      'token',
      'the host page’s scripts cannot reach the visitor token or the conversation',
      async () => {
        const page = await newPage();
        // A curious host page keeps every window that messages it: the chat's, via event.source.
        await page.addInitScript(() => {
          const seen: unknown[] = [];
          Object.defineProperty(window, '__sources', { value: seen });
          window.addEventListener('message', (event) => seen.push(event.source));
        });
        await page.goto(`${host.origin}/`);
        const frame = await openChat(page);
        await fillPrechat(frame, 'Private Person');
        const secret = `secret ${randomUUID()}`;
        await say(frame, secret);
        const { token } = await until(() => storedChat(frame), 10_000, 'the session');

        const seen = await page.evaluate(() => {
          const attempt = (read: () => unknown) => {
            try {
              return { ok: true, value: String(read()) };
            } catch (error) {
              return { ok: false, value: (error as Error).name };
            }
          };
          const sources = (window as unknown as { __sources: Window[] }).__sources;
          const child = sources[0] as Window;
          const hostStorage = Object.keys(localStorage).map((k) => `${k}=${localStorage.getItem(k)}`);
          const hostSession = Object.keys(sessionStorage).map((k) => `${k}=${sessionStorage.getItem(k)}`);
          return {
            // The iframe lives in a closed shadow root: not even listed among the page's frames.
            frames: window.frames.length,
            iframes: document.querySelectorAll('iframe').length,
            messages: sources.length,
            document: attempt(() => child.document.body.innerText),
            storage: attempt(() => child.localStorage.length),
            location: attempt(() => child.location.href),
            everything: [
              document.documentElement.outerHTML,
              document.cookie,
              ...hostStorage,
              ...hostSession,
              JSON.stringify(window.PortalChat),
            ].join('\n'),
          };
        });
        expect(seen.frames).toBe(0);
        expect(seen.iframes).toBe(0);
        expect(seen.messages).toBeGreaterThan(0);
        expect(seen.document.ok).toBe(false);
        expect(seen.storage.ok).toBe(false);
        expect(seen.location.ok).toBe(false);
        expect(seen.everything).not.toContain(token);
        expect(seen.everything).not.toContain(secret);
      },
    );

    scenario(
      'refused',
      'a page on a non-allowed origin is refused clearly, and cannot frame the chat',
      async () => {
        const page = await newPage(VIEWPORT, false);
        const warnings: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'warning') warnings.push(m.text());
        });
        // Same server, other origin: localhost is not in the key's list, 127.0.0.1 is.
        const other = `http://localhost:${host.port}`;
        await page.goto(`${other}/`);
        await until(
          async () => warnings.find((w) => w.startsWith('PortalChat:')),
          10_000,
          'the refusal warning',
        );
        expect(warnings.find((w) => w.startsWith('PortalChat:'))).toContain(
          `may not be embedded on ${other}`,
        );
        expect(await launcher(page)).toBeNull();
        expect(
          await page.evaluate(() => document.querySelectorAll('portal-chat-widget, iframe').length),
        ).toBe(0);

        // An unknown key is refused too.
        await page.goto(`${host.origin}/?key=no-such-key`);
        await until(
          async () => warnings.find((w) => w.includes('unknown widget key "no-such-key"')),
          10_000,
          'the unknown-key warning',
        );

        // Framing the chat page directly from a non-allowed origin is blocked by frame-ancestors.
        await page.goto(`${other}/frame`);
        await page.waitForTimeout(1_000);
        const framed = page.frames().find((f) => f !== page.mainFrame());
        const loaded = framed ? await framed.$('#app').catch(() => null) : null;
        expect(loaded).toBeNull();
      },
    );

    scenario(
      'flaky',
      '50 sends over a flaky network (requests aborted at random) each arrive exactly once, in order',
      async () => {
        const page = await newPage();
        await page.goto(`${host.origin}/`);
        const frame = await openChat(page);
        await fillPrechat(frame, 'Flaky Network');
        await say(frame, 'first, before the network gets bad');
        const session = await until(() => storedChat(frame), 10_000, 'the session');

        const random = seeded(6);
        let abortedBefore = 0;
        let abortedAfter = 0;
        await page.route('**/api/widget/sessions/*/messages', async (route) => {
          const roll = random();
          if (roll < 0.2) {
            abortedBefore += 1;
            return route.abort('failed');
          }
          if (roll < 0.4) {
            // The server gets it, the answer is lost: the retry must not duplicate it.
            abortedAfter += 1;
            await route.fetch().catch(() => null);
            return route.abort('failed');
          }
          return route.continue();
        });

        const bodies = Array.from(
          { length: 50 },
          (_, i) => `flaky message ${String(i + 1).padStart(2, '0')}`,
        );
        for (const body of bodies) await say(frame, body);
        const expected = ['first, before the network gets bad', ...bodies];

        const finalMessages = await until(
          async () => {
            const pendingCount = await frame.$$eval(
              '.msg.sending, .msg.retrying, .msg.failed',
              (els) => els.length,
            );
            if (pendingCount) return null;
            const state = await serverMessages(portal, session);
            const visitor = state.messages.filter((m) => m.from === 'visitor').map((m) => m.body);
            return visitor.length >= expected.length ? visitor : null;
          },
          100_000,
          'every message to be delivered',
        );
        await page.unroute('**/api/widget/sessions/*/messages');
        expect(abortedBefore).toBeGreaterThan(0);
        expect(abortedAfter).toBeGreaterThan(0);
        expect(finalMessages).toEqual(expected);
        await until(
          async () => (await shownMessages(frame, 'visitor')).length === expected.length,
          10_000,
          'the list',
        );
        expect(await shownMessages(frame, 'visitor')).toEqual(expected);
      },
      120_000,
    );

    scenario(
      'unread',
      'replies while the panel is closed show as an unread count on the launcher',
      async () => {
        const page = await newPage();
        await page.goto(`${host.origin}/`);
        const frame = await openChat(page);
        await fillPrechat(frame, 'Busy Visitor');
        await say(frame, 'hello there');
        const session = await until(() => storedChat(frame), 10_000, 'the session');
        await frame.click('.icon-button[aria-label="Minimize chat"]');
        await until(async () => (await launcher(page))?.expanded === false, 5_000, 'the panel to close');
        await backend.agentJoins(session.sessionId);
        await backend.agentSays(session.sessionId, 'Are you still there?');
        const name = await until(
          async () => {
            const button = await launcher(page);
            return button && /unread/.test(button.name) ? button.name : null;
          },
          25_000,
          'the unread count',
        );
        expect(name).toBe('Open chat, 1 unread message');
        await (await launcher(page))!.click();
        await until(async () => (await launcher(page))?.name === 'Close chat', 5_000, 'the count to clear');
      },
    );

    scenario('restart', 'after End chat, the next message starts a new session', async () => {
      const page = await newPage({ width: 390, height: 844 });
      await page.goto(`${host.origin}/`);
      const frame = await openChat(page);
      await fillPrechat(frame, 'Returning Visitor');
      await say(frame, 'first chat');
      const first = await until(() => storedChat(frame), 10_000, 'the session');
      await frame.waitForSelector('.msg.visitor:not(.sending) >> text=first chat');
      await frame.click('.header-button');
      await frame.click('.confirm .danger');
      await frame.waitForSelector('.notice >> text=This chat has ended');
      await say(frame, 'second chat');
      const second = await until(
        async () => {
          const s = await storedChat(frame);
          return s.sessionId !== first.sessionId ? s : null;
        },
        10_000,
        'a new session',
      );
      await until(
        async () => (await serverMessages(portal, second)).messages.some((m) => m.body === 'second chat'),
        10_000,
        'the message',
      );
      expect((await serverMessages(portal, second)).status).not.toBe('CLOSED');
      expect(await frame.textContent('.messages')).toContain('first chat');
    });

    scenario(
      'cross-site',
      'on a cross-site page whose browser blocks third-party storage, the chat still works',
      async () => {
        const page = await newPage();
        // The portal by another name (localhost, not 127.0.0.1): a different site, so this browser
        // context (which blocks third-party cookies) denies the iframe its storage.
        await page.goto(`${host.origin}/?portal=localhost`);
        const frame = await openChat(page);
        expect(frame.url()).toContain('//localhost:');
        const storage = await frame.evaluate(() => {
          try {
            return typeof localStorage.length;
          } catch (error) {
            return (error as Error).name;
          }
        });
        expect(storage).toBe('SecurityError');
        await fillPrechat(frame, 'Private Browsing');
        await say(frame, 'how do I reset my password');
        await frame.waitForSelector('.msg.bot .card-open', { timeout: 20_000 });
        await frame.waitForSelector('.msg.visitor:not(.sending):not(.retrying)');
        expect(await shownMessages(frame, 'visitor')).toEqual(['how do I reset my password']);
      },
    );

    scenario('clean', 'no CSP or Trusted Types violation happened in any scenario', async () => {
      expect(problems).toEqual([]);
    });
  });
}
