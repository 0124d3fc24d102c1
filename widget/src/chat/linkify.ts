export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"\]}>*_~]+$/;

/** Drops punctuation that ends a sentence rather than the URL, keeping balanced parentheses. */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const trimmed = url.replace(TRAILING, '');
    if (trimmed.endsWith(')') && count(trimmed, '(') < count(trimmed, ')')) {
      url = trimmed.slice(0, -1);
      continue;
    }
    if (trimmed === url) return url;
    url = trimmed;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

/** Splits message text into plain runs and http(s) links; nothing else is ever a link. */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

/** Message text as DOM: text nodes plus anchors built with DOM APIs, never parsed as HTML. */
export function linkify(text: string, doc: Document = document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  for (const part of splitLinks(text)) {
    if (part.kind === 'text') {
      fragment.append(doc.createTextNode(part.text));
      continue;
    }
    const a = doc.createElement('a');
    a.href = part.href;
    a.textContent = part.text;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    fragment.append(a);
  }
  return fragment;
}
