import './chat.css';
import { isOrigin, readWidgetMessage, widgetMessage, type WidgetMessage } from '../shared/protocol';
import { parseWidgetConfig, textColorOn } from '../shared/site-config';
import { ChatController } from './controller';
import { chatStorage } from './storage';
import { mountApp } from './view/app';

// The server writes the key's settings into this page; nothing here comes from the host page
// except its origin, which must be one of the key's origins before we talk to it.
const config = parseWidgetConfig(
  JSON.parse(document.querySelector<HTMLMetaElement>('meta[name="widget-config"]')?.content || 'null'),
);
const root = document.getElementById('app');

if (config && root) {
  const params = new URLSearchParams(location.search);
  const claimed = params.get('origin');
  const embedded = window.parent !== window;
  const hostOrigin = embedded && isOrigin(claimed) && config.origins.includes(claimed) ? claimed : null;
  const toHost = (message: WidgetMessage) => {
    if (hostOrigin) window.parent.postMessage(message, hostOrigin);
  };

  document.documentElement.style.setProperty('--accent', config.color);
  document.documentElement.style.setProperty('--on-accent', textColorOn(config.color));

  let panelOpen = !hostOrigin;
  const controller = new ChatController({
    widgetKey: config.key,
    greeting: config.greeting,
    storage: chatStorage(config.key),
    panelOpen,
    onUnread: (count) => toHost(widgetMessage('unread', count)),
  });
  const app = mountApp(root, {
    controller,
    greeting: config.greeting,
    minimize: hostOrigin ? () => toHost(widgetMessage('close')) : null,
    resize: (expanded) => toHost(widgetMessage('resize', expanded)),
  });

  const visibility = () => controller.setVisibility(panelOpen, document.visibilityState === 'visible');
  document.addEventListener('visibilitychange', visibility);
  window.addEventListener('online', () => controller.online());
  window.addEventListener('message', (event) => {
    if (!hostOrigin) return;
    const message = readWidgetMessage(event, hostOrigin, window.parent);
    if (message?.type !== 'open' && message?.type !== 'close') return;
    panelOpen = message.type === 'open';
    visibility();
    if (panelOpen) {
      app.scrollToEnd();
      app.focus();
    }
  });
  visibility();
}
