import { isOrigin } from '../shared/protocol';
import { isHexColor, type WidgetConfig } from '../shared/site-config';

/** One website allowed to embed the widget, named by its widget key. */
export interface WidgetSite {
  key: string;
  /** Exact origins (`https://www.example.com`) whose pages may embed this key. */
  origins: string[];
  greeting: string;
  /** Hex colour (`#2563eb`) for the launcher, header and the visitor's bubbles. */
  color: string;
}

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks the configured sites once at start: a bad entry stops the server with a clear message. */
export function indexSites(sites: readonly WidgetSite[]): Map<string, WidgetConfig> {
  const byKey = new Map<string, WidgetConfig>();
  for (const [i, site] of sites.entries()) {
    const where = `widget site #${i + 1}${typeof site.key === 'string' ? ` ("${site.key}")` : ''}`;
    if (typeof site.key !== 'string' || !KEY.test(site.key)) {
      throw new Error(`${where}: key must be 1-64 letters, digits, "-" or "_"`);
    }
    if (byKey.has(site.key)) throw new Error(`${where}: the key is configured twice`);
    if (!Array.isArray(site.origins)) throw new Error(`${where}: origins must be a list`);
    for (const origin of site.origins) {
      if (!isOrigin(origin))
        throw new Error(`${where}: "${String(origin)}" is not an origin like https://www.example.com`);
    }
    if (!isHexColor(site.color)) throw new Error(`${where}: color must be a hex colour like #2563eb`);
    if (typeof site.greeting !== 'string' || site.greeting.length > 200) {
      throw new Error(`${where}: greeting must be a text of at most 200 characters`);
    }
    byKey.set(site.key, {
      key: site.key,
      greeting: site.greeting,
      color: site.color,
      origins: [...new Set(site.origins)],
    });
  }
  return byKey;
}

/**
 * The chat page's policy: only its own scripts, styles and API, no HTML sinks (Trusted Types),
 * and framing by exactly the key's origins.
 */
export function chatPagePolicy(origins: readonly string[]): string {
  return [
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    `frame-ancestors ${origins.length ? origins.join(' ') : "'none'"}`,
  ].join('; ');
}
