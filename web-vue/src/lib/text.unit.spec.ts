import { describe, expect, it } from 'vitest';
import { normalizeChannelName } from './channel-name';
import { dayLabel, duration, fileSize, initials } from './format';
import { linkify } from './linkify';

describe('linkify', () => {
  it('makes http(s) URLs links and leaves everything else as text', () => {
    expect(linkify('see https://example.com/a?b=1, then <img src=x onerror=alert(1)>')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', then <img src=x onerror=alert(1)>' },
    ]);
  });

  it('never links other schemes', () => {
    expect(linkify('javascript:alert(1) data:text/html,x ftp://x')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) data:text/html,x ftp://x' },
    ]);
  });

  it('keeps a closing parenthesis that belongs to the URL but not sentence punctuation', () => {
    const segments = linkify('(see https://en.wikipedia.org/wiki/Vue_(framework)).');
    expect(segments[1]).toMatchObject({ href: 'https://en.wikipedia.org/wiki/Vue_(framework)' });
    expect(segments[2]).toEqual({ kind: 'text', text: ').' });
  });
});

describe('normalizeChannelName', () => {
  it('lowercases and hyphenates', () => {
    expect(normalizeChannelName('Proj 014 Carms Court')).toBe('proj-014-carms-court');
    expect(normalizeChannelName('  Café -- Ops!! ')).toBe('cafe-ops');
    expect(normalizeChannelName('###')).toBe('');
  });
});

describe('format', () => {
  it('labels days relative to the viewer', () => {
    const now = new Date(2026, 4, 20, 12, 0);
    expect(dayLabel(new Date(2026, 4, 20, 0, 5).toISOString(), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 4, 19, 23, 59).toISOString(), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 4, 12, 9, 0).toISOString(), now)).not.toMatch(/Today|Yesterday/);
  });

  it('prints compact durations, sizes and initials', () => {
    const t0 = Date.parse('2026-01-01T10:00:00Z');
    expect(duration('2026-01-01T10:00:00Z', t0 + 2_000)).toBe('now');
    expect(duration('2026-01-01T10:00:00Z', t0 + 125_000)).toBe('2m');
    expect(duration('2026-01-01T10:00:00Z', t0 + 65 * 60_000)).toBe('1h 5m');
    expect(fileSize(248_331)).toBe('243 KB');
    expect(initials('Emma  Stone')).toBe('ES');
    expect(initials('')).toBe('?');
    expect(initials('Jane (visitor)')).toBe('JV');
  });
});
