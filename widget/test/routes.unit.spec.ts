import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWidgetSite, type WidgetSite } from '../src/index';

const SHOP = 'https://shop.example.com';
const SHOP_WWW = 'https://www.shop.example.com';
const sites: WidgetSite[] = [
  { key: 'shop', origins: [SHOP, SHOP_WWW], greeting: 'Hi from the shop', color: '#0f766e' },
  { key: 'demo', origins: ['http://localhost:3000'], greeting: 'Hi! How can we help?', color: '#2563eb' },
];

let distDir: string;
let app: FastifyInstance;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'widget-dist-'));
  await mkdir(join(distDir, 'assets'));
  await writeFile(join(distDir, 'widget.js'), '(function(){})();');
  await writeFile(
    join(distDir, 'chat.html'),
    '<!doctype html><html><head><meta name="widget-config" content="" /><script type="module" src="./assets/chat-abc123.js"></script></head><body><div id="app"></div></body></html>',
  );
  await writeFile(join(distDir, 'assets', 'chat-abc123.js'), 'console.log(1)');
  await writeFile(join(distDir, 'assets', 'style-abc123.css'), 'body{}');
  app = Fastify();
  await registerWidgetSite(app, { distDir, sites });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await rm(distDir, { recursive: true, force: true });
});

describe('GET /widget/chat', () => {
  it('may be framed by exactly the key’s origins, under a strict same-origin policy', async () => {
    const res = await app.inject({ url: '/widget/chat?key=shop&origin=https%3A%2F%2Fshop.example.com' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; " +
        "require-trusted-types-for 'script'; trusted-types 'none'; " +
        'frame-ancestors https://shop.example.com https://www.shop.example.com',
    );
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  it('writes the key’s config into the page, escaped', async () => {
    const res = await app.inject({ url: '/widget/chat?key=shop' });
    const match = /<meta name="widget-config" content="([^"]*)">/.exec(res.body);
    expect(match).not.toBeNull();
    const json = match![1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&');
    expect(JSON.parse(json)).toEqual({
      key: 'shop',
      greeting: 'Hi from the shop',
      color: '#0f766e',
      origins: [SHOP, SHOP_WWW],
    });
  });

  it('answers 404 with a page for an unknown or missing key', async () => {
    for (const url of ['/widget/chat?key=nope', '/widget/chat', '/widget/chat?key[]=shop']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('This chat is not available');
    }
  });
});

describe('GET /api/widget/config', () => {
  it('answers the config with CORS for an allowed origin only', async () => {
    const res = await app.inject({ url: '/api/widget/config?key=shop', headers: { origin: SHOP_WWW } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP_WWW);
    expect(res.headers.vary).toContain('Origin');
    expect(res.json()).toEqual({
      key: 'shop',
      greeting: 'Hi from the shop',
      color: '#0f766e',
      origins: [SHOP, SHOP_WWW],
    });
  });

  it('refuses other origins without handing them the config', async () => {
    const res = await app.inject({
      url: '/api/widget/config?key=shop',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['access-control-allow-origin']).not.toBe('https://evil.example');
    expect(res.json()).toEqual({ error: { code: 'ORIGIN_NOT_ALLOWED', message: expect.any(String) } });
    expect(res.body).not.toContain('Hi from the shop');
  });

  it('answers same-origin requests (no Origin header) without CORS headers', async () => {
    const res = await app.inject({ url: '/api/widget/config?key=demo' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 404 for an unknown key', async () => {
    const res = await app.inject({ url: '/api/widget/config?key=nope', headers: { origin: SHOP } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('WIDGET_KEY_UNKNOWN');
  });
});

describe('GET /widget.js and assets', () => {
  it('serves the loader to any site, cacheable and revalidated by ETag', async () => {
    const res = await app.inject({ url: '/widget.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const again = await app.inject({
      url: '/widget.js',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('serves hashed chat assets as immutable and nothing outside assets/', async () => {
    const js = await app.inject({ url: '/widget/assets/chat-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/widget/assets/style-abc123.css' })).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    for (const url of [
      '/widget/assets/..%2Fwidget.js',
      '/widget/assets/%2E%2E%2Fchat.html',
      '/widget/assets/missing.js',
      '/widget/assets/x.html',
    ]) {
      expect((await app.inject({ url })).statusCode).toBe(404);
    }
  });

  it('says so when the widget is not built', async () => {
    const bare = Fastify();
    await registerWidgetSite(bare, { distDir: join(distDir, 'nowhere'), sites });
    const res = await bare.inject({ url: '/widget.js' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build --workspace widget');
    await bare.close();
  });
});

describe('GET /demo', () => {
  it('is a help page embedding the widget with key demo', async () => {
    const res = await app.inject({ url: '/demo', headers: { host: 'localhost:3000' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<script src="/widget.js" data-widget-key="demo" async></script>');
    expect(res.body).toContain('How can we help?');
    expect(res.body).not.toContain('Demo note');
  });

  it('warns the person running the demo when its origin is not allowed', async () => {
    const res = await app.inject({ url: '/demo', headers: { host: '127.0.0.1:3000' } });
    expect(res.body).toContain('Demo note');
  });

  it('has topic pages and a search, with text escaped', async () => {
    expect((await app.inject({ url: '/demo/account' })).body).toContain('How do I reset my password?');
    expect((await app.inject({ url: '/demo/nope' })).statusCode).toBe(404);
    const search = await app.inject({ url: '/demo?q=%3Cscript%3Epassword' });
    expect(search.body).not.toContain('<script>password');
    expect(search.body).toContain('&lt;script&gt;password');
  });

  it('uses the public origin for the script when one is configured', async () => {
    const behindProxy = Fastify();
    await registerWidgetSite(behindProxy, { distDir, sites, publicOrigin: 'https://portal.example' });
    const res = await behindProxy.inject({ url: '/demo' });
    expect(res.body).toContain(
      '<script src="https://portal.example/widget.js" data-widget-key="demo" async>',
    );
    await behindProxy.close();
  });
});

describe('site configuration', () => {
  it('stops at start on a bad site entry', async () => {
    const bad: [Partial<WidgetSite>, RegExp][] = [
      [{ key: 'x', origins: ['https://a.example/path'], greeting: '', color: '#fff' }, /not an origin/],
      [{ key: 'x', origins: [], greeting: '', color: 'red' }, /hex colour/],
      [{ key: 'bad key', origins: [], greeting: '', color: '#fff' }, /key must be/],
    ];
    for (const [site, message] of bad) {
      await expect(registerWidgetSite(Fastify(), { distDir, sites: [site as WidgetSite] })).rejects.toThrow(
        message,
      );
    }
    await expect(registerWidgetSite(Fastify(), { distDir, sites: [sites[0]!, sites[0]!] })).rejects.toThrow(
      /twice/,
    );
  });

  it('frames nowhere when a key lists no origins', async () => {
    const closed = Fastify();
    await registerWidgetSite(closed, {
      distDir,
      sites: [{ key: 'k', origins: [], greeting: '', color: '#fff' }],
    });
    const res = await closed.inject({ url: '/widget/chat?key=k' });
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'$/);
    await closed.close();
  });
});
