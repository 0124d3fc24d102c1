import { existsSync } from 'node:fs';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless; waits a little in case it is still being installed. */
export async function launchChromium(): Promise<Browser> {
  for (let i = 0; i < 60 && !existsSync(CHROMIUM); i++)
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface AXNode {
  role?: { value?: string };
  name?: { value?: string };
  properties?: { name: string; value: { value?: unknown } }[];
  backendDOMNodeId?: number;
}

/**
 * The launcher as assistive technology sees it. It lives in a closed shadow root, out of reach
 * of page scripts and of DOM selectors, so tests find it in the browser's accessibility tree.
 */
export async function launcher(
  page: Page,
): Promise<{ name: string; expanded: boolean; click(): Promise<void> } | null> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const node = nodes.find(
      (n) => n.role?.value === 'button' && /^(Open|Close) chat/.test(String(n.name?.value)),
    );
    if (!node?.backendDOMNodeId) return null;
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendDOMNodeId })) as {
      model: { content: number[] };
    };
    const [x1, y1, , , x3, y3] = model.content as [number, number, number, number, number, number];
    return {
      name: String(node.name?.value),
      expanded: node.properties?.find((p) => p.name === 'expanded')?.value.value === true,
      click: () => page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2),
    };
  } finally {
    await cdp.detach();
  }
}

export async function waitForLauncher(page: Page, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await launcher(page);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('the chat launcher did not appear');
    await page.waitForTimeout(100);
  }
}

/** The chat iframe (cross-origin: reachable from the test, not from the host page's scripts). */
export async function chatFrame(page: Page, timeoutMs = 10_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = page.frames().find((f) => f.url().includes('/widget/chat'));
    if (frame) {
      await frame.waitForSelector('#app .app', { timeout: timeoutMs });
      return frame;
    }
    if (Date.now() > deadline) throw new Error('the chat iframe did not load');
    await page.waitForTimeout(100);
  }
}

/** Opens the chat from the launcher and answers its frame. */
export async function openChat(page: Page): Promise<Frame> {
  const button = await waitForLauncher(page);
  if (!button.expanded) await button.click();
  return chatFrame(page);
}

export async function fillPrechat(frame: Frame, name: string, email = ''): Promise<void> {
  await frame.fill('#name', name);
  if (email) await frame.fill('#email', email);
  await frame.click('.prechat button[type=submit]');
  await frame.waitForSelector('#composer-input');
}

export async function say(frame: Frame, body: string): Promise<void> {
  await frame.fill('#composer-input', body);
  await frame.press('#composer-input', 'Enter');
}

/** Message texts shown in the conversation, in order, by sender class. */
export async function shownMessages(frame: Frame, from: 'visitor' | 'agent' | 'bot'): Promise<string[]> {
  return frame.$$eval(`.messages .msg.${from} .bubble`, (els) => els.map((e) => e.textContent ?? ''));
}

/** Deterministic pseudo-random numbers for reproducible flaky networks. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
