import { describe, expect, it } from 'vitest';
import { fetchWidgetConfig } from '../src/loader/config';

const PORTAL = 'https://portal.example';
const PAGE = 'https://shop.example.com';
const config = { key: 'shop', greeting: 'Hello', color: '#2563eb', origins: [PAGE] };

const answering = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;

describe('fetchWidgetConfig (the loader asking whether this page may embed its key)', () => {
  it('starts when the portal lists this page origin', async () => {
    const result = await fetchWidgetConfig(PORTAL, 'shop', PAGE, answering(200, config));
    expect(result).toEqual({ ok: true, config });
  });

  it('asks the portal of the script, with the key encoded and no cookies', async () => {
    let seen: [string, RequestInit | undefined] | null = null;
    const spy = (async (url: string, init?: RequestInit) => {
      seen = [url, init];
      return new Response(JSON.stringify(config));
    }) as unknown as typeof fetch;
    await fetchWidgetConfig(PORTAL, 'a b&c', PAGE, spy);
    expect(seen![0]).toBe('https://portal.example/api/widget/config?key=a%20b%26c');
    expect(seen![1]).toMatchObject({ credentials: 'omit' });
  });

  it('refuses with a clear reason for an unknown key', async () => {
    const result = await fetchWidgetConfig(
      PORTAL,
      'nope',
      PAGE,
      answering(404, { error: { code: 'WIDGET_KEY_UNKNOWN' } }),
    );
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('unknown widget key "nope"') });
  });

  it('refuses when the portal says this origin is not allowed', async () => {
    const result = await fetchWidgetConfig(PORTAL, 'shop', 'https://evil.example', answering(403, {}));
    expect(result).toEqual({
      ok: false,
      reason: expect.stringContaining('may not be embedded on https://evil.example'),
    });
  });

  it('refuses when the origin is missing from the list even if the portal answered', async () => {
    const result = await fetchWidgetConfig(PORTAL, 'shop', 'https://evil.example', answering(200, config));
    expect(result.ok).toBe(false);
  });

  it('refuses on a network or CORS failure, and on a malformed answer', async () => {
    const failing = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    expect((await fetchWidgetConfig(PORTAL, 'shop', PAGE, failing)).ok).toBe(false);
    expect(
      (await fetchWidgetConfig(PORTAL, 'shop', PAGE, answering(200, { ...config, color: 'red' }))).ok,
    ).toBe(false);
  });
});
