import { fetchWidgetConfig } from './config';
import { mountLauncher, type Launcher } from './launcher';

/** The one global the loader defines: lets the host page open the chat from its own buttons. */
interface PortalChatApi {
  open(): void;
  close(): void;
  toggle(): void;
}

declare global {
  interface Window {
    PortalChat?: PortalChatApi;
  }
}

const warn = (text: string) => console.warn(`PortalChat: ${text} The chat launcher is not shown.`);

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[data-widget-key][src]');
}

function whenBodyReady(): Promise<void> {
  if (document.body) return Promise.resolve();
  return new Promise((resolve) =>
    document.addEventListener('DOMContentLoaded', () => resolve(), { once: true }),
  );
}

async function start(): Promise<void> {
  const script = ownScript();
  const key = script?.dataset.widgetKey?.trim();
  if (!script || !key) return warn('the <script> tag needs a data-widget-key attribute.');
  if (window.PortalChat) return warn('the widget script is included twice; keeping the first one.');

  let launcher: Launcher | null = null;
  let wantOpen = false;
  window.PortalChat = Object.freeze({
    open: () => (launcher ? launcher.open() : (wantOpen = true)),
    close: () => launcher?.close(),
    toggle: () => launcher?.toggle(),
  });

  const portal = new URL(script.src, location.href).origin;
  const result = await fetchWidgetConfig(portal, key, location.origin);
  if (!result.ok) return warn(result.reason);
  await whenBodyReady();
  launcher = mountLauncher({ portal, config: result.config, pageOrigin: location.origin });
  if (wantOpen) launcher.open();
}

void start();
