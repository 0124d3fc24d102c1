import type { Suggestion } from '../api';
import { linkify } from '../linkify';
import type { MessageItem, TimelineItem } from '../timeline';
import { h, icon, ICONS } from './dom';

export interface MessageListHandlers {
  openArticle(suggestion: Suggestion, trigger: HTMLElement): void;
  solved(articleId: string): void;
  retry(): void;
  discard(messageId: string): void;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function when(createdAt: string | null): HTMLElement | null {
  if (!createdAt) return null;
  const date = new Date(createdAt);
  if (Number.isNaN(date.getTime())) return null;
  return h('time', { datetime: date.toISOString(), title: fullFormat.format(date) }, timeFormat.format(date));
}

function deliveryLine(item: MessageItem, handlers: MessageListHandlers): HTMLElement | null {
  if (item.delivery === 'sending') return h('span', { class: 'delivery' }, 'Sending…');
  if (item.delivery === 'retrying') return h('span', { class: 'delivery warn' }, 'Not sent yet, retrying…');
  if (item.delivery === 'failed') {
    return h(
      'span',
      { class: 'delivery error' },
      `Not delivered${item.error ? `: ${item.error}` : ''}. `,
      h('button', { type: 'button', class: 'link', onclick: () => handlers.retry() }, 'Try again'),
      ' · ',
      h('button', { type: 'button', class: 'link', onclick: () => handlers.discard(item.key) }, 'Remove'),
    );
  }
  return null;
}

function suggestionCards(
  item: MessageItem,
  solved: ReadonlySet<string>,
  handlers: MessageListHandlers,
): HTMLElement | null {
  if (!item.suggestions.length) return null;
  return h(
    'ul',
    { class: 'suggestions', 'aria-label': 'Suggested articles' },
    ...item.suggestions.map((s) => {
      const open = h(
        'button',
        { type: 'button', class: 'card-open', 'data-focus': `open:${s.articleId}` },
        icon(ICONS.article),
        h('span', { class: 'card-title' }, s.title),
      );
      open.addEventListener('click', () => handlers.openArticle(s, open));
      const done = solved.has(s.articleId);
      return h(
        'li',
        { class: 'card' },
        open,
        done
          ? h(
              'p',
              { class: 'card-solved', 'data-focus': `solved:${s.articleId}`, tabindex: -1 },
              icon(ICONS.check),
              'Glad that helped!',
            )
          : h(
              'button',
              {
                type: 'button',
                class: 'card-action',
                'data-focus': `solved:${s.articleId}`,
                'aria-label': `This solved it: ${s.title}`,
                onclick: () => handlers.solved(s.articleId),
              },
              icon(ICONS.check),
              'This solved it',
            ),
      );
    }),
  );
}

function avatar(item: MessageItem): HTMLElement | null {
  if (item.from === 'visitor') return null;
  if (!item.first) return h('span', { class: 'avatar spacer', 'aria-hidden': 'true' });
  const glyph =
    item.from === 'agent'
      ? item.author.trim().charAt(0).toUpperCase() || 'A'
      : icon(item.from === 'bot' ? ICONS.sparkle : ICONS.chat);
  return h('span', { class: `avatar ${item.from}`, 'aria-hidden': 'true' }, glyph);
}

function renderMessage(
  item: MessageItem,
  solved: ReadonlySet<string>,
  handlers: MessageListHandlers,
): HTMLLIElement {
  const bubble = h('div', { class: 'bubble' });
  bubble.append(linkify(item.body));
  const meta = [when(item.createdAt), deliveryLine(item, handlers)].filter(
    (x): x is HTMLElement => x !== null,
  );
  return h(
    'li',
    { class: `msg ${item.from}${item.first ? ' first' : ''}${item.delivery ? ` ${item.delivery}` : ''}` },
    avatar(item),
    h(
      'div',
      { class: 'content' },
      item.first && item.from !== 'visitor'
        ? h('span', { class: 'author' }, item.author)
        : h('span', { class: 'sr-only' }, `${item.author}:`),
      bubble,
      suggestionCards(item, solved, handlers),
      meta.length ? h('div', { class: 'meta' }, ...meta) : null,
    ),
  );
}

function signature(item: TimelineItem, solved: ReadonlySet<string>): string {
  if (item.kind === 'notice') return `n|${item.text}`;
  const solvedHere = item.suggestions.filter((s) => solved.has(s.articleId)).map((s) => s.articleId);
  return JSON.stringify([
    item.from,
    item.author,
    item.body,
    item.createdAt,
    item.first,
    item.delivery,
    item.error,
    item.suggestions,
    solvedHere,
  ]);
}

/**
 * The conversation as an ordered list, updated in place by key: unchanged messages keep their
 * nodes (and focus), and only messages that arrive after the first render are announced.
 */
export class MessageList {
  readonly element = h('ol', { class: 'messages', 'aria-label': 'Conversation' });
  private readonly nodes = new Map<string, { el: HTMLElement; sig: string }>();
  private rendered = false;

  constructor(
    private readonly handlers: MessageListHandlers,
    private readonly announce: (text: string) => void,
  ) {}

  /** Renders `items`; answers whether anything new was added. */
  update(items: readonly TimelineItem[], solved: ReadonlySet<string>): boolean {
    const keep = new Set<string>();
    let added = false;
    let cursor: ChildNode | null = this.element.firstChild;
    for (const item of items) {
      keep.add(item.key);
      const sig = signature(item, solved);
      let entry = this.nodes.get(item.key);
      if (!entry || entry.sig !== sig) {
        const el =
          item.kind === 'notice'
            ? h('li', { class: 'notice' }, h('span', {}, item.text))
            : renderMessage(item, solved, this.handlers);
        if (entry) {
          const focused = entry.el.contains(document.activeElement)
            ? (document.activeElement as HTMLElement).dataset.focus
            : undefined;
          if (cursor === entry.el) cursor = el;
          entry.el.replaceWith(el);
          if (focused) el.querySelector<HTMLElement>(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
        } else {
          added = true;
          if (this.rendered) this.announceItem(item);
        }
        entry = { el, sig };
        this.nodes.set(item.key, entry);
      }
      if (entry.el === cursor) cursor = cursor.nextSibling;
      else this.element.insertBefore(entry.el, cursor);
    }
    for (const [key, entry] of this.nodes) {
      if (!keep.has(key)) {
        entry.el.remove();
        this.nodes.delete(key);
      }
    }
    this.rendered = true;
    return added;
  }

  private announceItem(item: TimelineItem): void {
    if (item.kind === 'notice') this.announce(item.text);
    else if (item.from === 'agent' || item.from === 'bot') {
      const extra = item.suggestions.length
        ? ` (${item.suggestions.length} suggested article${item.suggestions.length === 1 ? '' : 's'})`
        : '';
      this.announce(`${item.author}: ${item.body}${extra}`);
    }
  }
}
