import { readWidgetMessage, widgetMessage, type WidgetMessage } from '../shared/protocol';
import { textColorOn, type WidgetConfig } from '../shared/site-config';
import { LOADER_CSS } from './styles';

export interface Launcher {
  open(): void;
  close(): void;
  toggle(): void;
}

interface LauncherOptions {
  portal: string;
  config: WidgetConfig;
  pageOrigin: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function icon(className: string, paths: string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', className);
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

function adoptStyles(root: ShadowRoot): void {
  // A constructed sheet is not an inline <style>, so it also works on pages whose CSP forbids those.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(LOADER_CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = LOADER_CSS;
    root.append(style);
  }
}

/** Remembers, for this tab only, whether the visitor had the chat open, so navigation keeps it. */
function panelMemory(key: string) {
  const name = `portal-chat:${key}`;
  return {
    read(): string | null {
      try {
        return sessionStorage.getItem(name);
      } catch {
        return null;
      }
    },
    write(value: 'open' | 'closed'): void {
      try {
        sessionStorage.setItem(name, value);
      } catch {
        // storage disabled: the chat simply starts closed on the next page
      }
    },
  };
}

/** Draws the launcher button (and, once used, the chat panel) inside a closed shadow root. */
export function mountLauncher({ portal, config, pageOrigin }: LauncherOptions): Launcher {
  const host = document.createElement('portal-chat-widget');
  const root = host.attachShadow({ mode: 'closed' });
  adoptStyles(root);

  const frame = document.createElement('div');
  frame.style.setProperty('--accent', config.color);
  frame.style.setProperty('--on-accent', textColorOn(config.color));

  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'panel';

  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'launcher';
  button.setAttribute('aria-controls', 'panel');
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  button.append(
    icon('when-closed', [
      'M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12Z',
      'M8.5 12h.01M12 12h.01M15.5 12h.01',
    ]),
    icon('when-open', ['M6 9l6 6 6-6']),
    badge,
  );
  frame.append(panel, button);
  root.append(frame);

  const memory = panelMemory(config.key);
  let iframe: HTMLIFrameElement | null = null;
  let loaded = false;
  let isOpen = false;
  let unread = 0;

  const post = (message: WidgetMessage) => {
    if (iframe && loaded) iframe.contentWindow?.postMessage(message, portal);
  };

  const label = () => {
    button.setAttribute('aria-expanded', String(isOpen));
    const count = unread > 0 && !isOpen ? `, ${unread} unread message${unread === 1 ? '' : 's'}` : '';
    button.setAttribute('aria-label', (isOpen ? 'Close chat' : 'Open chat') + count);
    badge.hidden = unread === 0;
    badge.textContent = unread > 9 ? '9+' : String(unread);
  };

  const ensureFrame = (): HTMLIFrameElement => {
    if (iframe) return iframe;
    const url = new URL('/widget/chat', portal);
    url.searchParams.set('key', config.key);
    url.searchParams.set('origin', pageOrigin);
    iframe = document.createElement('iframe');
    iframe.title = 'Live chat';
    iframe.src = url.href;
    // No top navigation, no plugins; popups only for article links the visitor opens. (Pointless,
    // and warned about, when the page is on the portal's own origin, as the demo page is.)
    if (portal !== pageOrigin) {
      iframe.setAttribute(
        'sandbox',
        'allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox',
      );
    }
    iframe.setAttribute('referrerpolicy', 'origin');
    iframe.addEventListener('load', () => {
      loaded = true;
      post(widgetMessage(isOpen ? 'open' : 'close'));
    });
    panel.append(iframe);
    return iframe;
  };

  const open = () => {
    const target = ensureFrame();
    isOpen = true;
    panel.classList.add('open');
    memory.write('open');
    post(widgetMessage('open'));
    label();
    target.focus();
  };

  const close = (returnFocus = false) => {
    if (!isOpen) return;
    isOpen = false;
    panel.classList.remove('open');
    memory.write('closed');
    post(widgetMessage('close'));
    label();
    if (returnFocus) button.focus();
  };

  button.addEventListener('click', () => (isOpen ? close() : open()));

  window.addEventListener('message', (event) => {
    const message = readWidgetMessage(event, portal, iframe?.contentWindow);
    if (!message) return;
    if (message.type === 'close') close(true);
    else if (message.type === 'unread') {
      unread = message.count;
      label();
    } else if (message.type === 'resize') panel.classList.toggle('expanded', message.expanded);
  });

  label();
  document.body.append(host);

  const remembered = memory.read();
  if (remembered === 'open') open();
  // The visitor chatted earlier in this tab: load the chat closed so the badge can count replies.
  else if (remembered === 'closed') setTimeout(ensureFrame, 1500);

  return { open, close: () => close(true), toggle: () => (isOpen ? close(true) : open()) };
}
