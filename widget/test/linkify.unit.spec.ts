// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { linkify, splitLinks } from '../src/chat/linkify';

describe('splitLinks', () => {
  it('finds http and https URLs inside text', () => {
    expect(splitLinks('see https://example.com/a?b=1 now')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' now' },
    ]);
  });

  it('leaves sentence punctuation out of the link but keeps balanced parentheses', () => {
    expect(splitLinks('Go to http://example.com/x.')[1]).toMatchObject({ text: 'http://example.com/x' });
    expect(splitLinks('(see https://example.com/y)')[1]).toMatchObject({ text: 'https://example.com/y' });
    expect(splitLinks('https://en.wikipedia.org/wiki/Tent_(camping), ok')[0]).toMatchObject({
      text: 'https://en.wikipedia.org/wiki/Tent_(camping)',
    });
    expect(splitLinks('"https://example.com/q"')[1]).toMatchObject({ text: 'https://example.com/q' });
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'ftp://example.com',
      'mailto:a@b.c',
      'www.example.com',
    ]) {
      expect(splitLinks(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('keeps text without links as one run, and empty text as nothing', () => {
    expect(splitLinks('plain words')).toEqual([{ kind: 'text', text: 'plain words' }]);
    expect(splitLinks('')).toEqual([]);
  });
});

describe('linkify', () => {
  it('builds text nodes and safe anchors, never HTML', () => {
    const host = document.createElement('div');
    host.append(linkify('<img src=x onerror=alert(1)> read https://example.com/help & <b>more</b>'));
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector('b')).toBeNull();
    const links = host.querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://example.com/help');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
    expect(host.textContent).toBe('<img src=x onerror=alert(1)> read https://example.com/help & <b>more</b>');
  });

  it('does not let a quote in a URL escape the attribute', () => {
    const host = document.createElement('div');
    host.append(linkify('https://example.com/a"onmouseover="alert(1)'));
    const a = host.querySelector('a')!;
    expect(a.getAttribute('onmouseover')).toBeNull();
    expect(a.getAttribute('href')).toBe('https://example.com/a');
  });
});
