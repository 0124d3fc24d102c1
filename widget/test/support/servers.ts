import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerWidgetSite, type WidgetSite } from '../../src/index';
import { fakeWidgetApi } from './fake-widget-api';

export const distDir = fileURLToPath(new URL('../../dist', import.meta.url));

/** The portal side for browser checks: the widget's routes plus the fake widget API. */
export async function startFakePortal(sites: (portalPort: number) => WidgetSite[], port = 0) {
  const api = fakeWidgetApi();
  // The CSP's frame-ancestors needs the ports, so listen first on a free port, then build the app.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(port, '127.0.0.1', resolve));
  const chosen = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const app: FastifyInstance = Fastify();
  await registerWidgetSite(app, { distDir, sites: sites(chosen) });
  await api.register(app);
  await app.listen({ port: chosen, host: '127.0.0.1' });
  return { app, api, port: chosen, origin: `http://127.0.0.1:${chosen}`, close: () => app.close() };
}

/**
 * A customer's page on another origin, embedding the widget from `portal` (a function: the portal
 * may start after this site, once it knows this site's port). `/bare` is the page without the
 * widget; `/frame` frames the chat directly, skipping the loader.
 */
export async function startHostSite(portalOrigin: string | (() => string), key = 'demo', port = 0) {
  const server: Server = createServer((request, response) => {
    let portal = typeof portalOrigin === 'string' ? portalOrigin : portalOrigin();
    const url = new URL(request.url ?? '/', 'http://host');
    // ?portal=localhost: load the widget from the portal under its other name (another site).
    if (url.searchParams.get('portal') === 'localhost')
      portal = portal.replace('//127.0.0.1:', '//localhost:');
    if (url.pathname === '/favicon.ico') return void response.writeHead(404).end();
    const widgetKey = url.searchParams.get('key') ?? key;
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    if (url.pathname === '/frame') {
      // A page that skips the loader and frames the chat directly.
      return void response.end(
        `<!doctype html><title>Framing</title><iframe title="direct" src="${portal}/widget/chat?key=${widgetKey}"></iframe>`,
      );
    }
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme outdoor gear</title><style>body{font:16px/1.5 system-ui;margin:0;padding:32px 40px;background:#fafaf9;color:#1c1917}
h1{margin:0 0 8px}p{max-width:36rem;color:#57534e}
/* hostile page styles: the widget must not be affected */
div, button, iframe { all: unset; display: none !important; } body > *:last-child { display: none !important; opacity: .2 !important; }</style></head>
<body><h1>Acme outdoor gear</h1><p>Tents, stoves and everything for the trail. Page ${url.pathname}.</p>
<a href="/other">Another page</a>
${url.pathname === '/bare' ? '' : `<script src="${portal}/widget.js" data-widget-key="${widgetKey}" async></script>`}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    origin: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
