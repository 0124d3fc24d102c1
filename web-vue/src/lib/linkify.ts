export type TextSegment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

// http(s) only; stops at whitespace and at characters that rarely end a URL in prose.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?\]}]$/;

/**
 * Splits user text into plain-text and link segments. Rendered as text nodes and anchors,
 * never as HTML, so nothing a user writes can become markup.
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const start = match.index ?? 0;
    // Punctuation that ends the sentence is not part of the link; a ")" is, when it closes a "(" inside.
    while (TRAILING.test(url) || (url.endsWith(')') && count(url, '(') < count(url, ')')))
      url = url.slice(0, -1);
    if (!safeHref(url)) continue;
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) });
    segments.push({ kind: 'link', text: url, href: url });
    last = start + url.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

function safeHref(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
