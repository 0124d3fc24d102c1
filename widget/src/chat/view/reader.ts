import type { Article, Suggestion } from '../api';
import { linkify } from '../linkify';
import { h, icon, ICONS } from './dom';

/** Article text: blank lines split paragraphs, `- ` lines make a list, `#` lines a heading. */
export function articleBody(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim());
    if (!lines.length) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[0] ?? '');
    if (heading && lines.length === 1) {
      fragment.append(h('h3', {}, heading[1] ?? ''));
      continue;
    }
    const item = /^\s*(?:[-*•]|\d+[.)])\s+/;
    if (lines.every((l) => item.test(l))) {
      const ordered = /^\s*\d/.test(lines[0] ?? '');
      const list = h(ordered ? 'ol' : 'ul', {});
      for (const l of lines) {
        const li = h('li', {});
        li.append(linkify(l.replace(item, '')));
        list.append(li);
      }
      fragment.append(list);
      continue;
    }
    const p = h('p', {});
    p.append(linkify(lines.join('\n')));
    fragment.append(p);
  }
  return fragment;
}

export interface ReaderOptions {
  load(articleId: string): Promise<Article>;
  solved(articleId: string): Promise<boolean>;
  isSolved(articleId: string): boolean;
  onToggle(open: boolean): void;
}

/** A small in-chat reader for a suggested article, as a modal panel over the conversation. */
export function articleReader(options: ReaderOptions) {
  const title = h('h2', { id: 'reader-title', tabindex: -1 });
  const body = h('div', { class: 'reader-body' });
  const footer = h('div', { class: 'reader-footer' });
  const back = h('button', { type: 'button', class: 'reader-back' }, icon(ICONS.back), 'Back to chat');
  const element = h(
    'section',
    {
      class: 'reader',
      role: 'dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'reader-title',
      hidden: true,
    },
    h('div', { class: 'reader-bar' }, back),
    h('div', { class: 'reader-scroll' }, title, body),
    footer,
  );
  let returnFocus: HTMLElement | null = null;
  let current: Suggestion | null = null;

  const renderFooter = () => {
    footer.replaceChildren();
    if (!current) return;
    const articleId = current.articleId;
    if (options.isSolved(articleId)) {
      footer.append(
        h(
          'p',
          { class: 'card-solved', tabindex: -1 },
          icon(ICONS.check),
          'Glad that helped! You can close the chat or keep writing.',
        ),
      );
      return;
    }
    const button = h('button', { type: 'button', class: 'primary' }, icon(ICONS.check), 'This solved it');
    button.addEventListener('click', async () => {
      button.disabled = true;
      const ok = await options.solved(articleId);
      if (!ok) {
        button.disabled = false;
        return;
      }
      renderFooter();
      footer.querySelector<HTMLElement>('[tabindex]')?.focus();
    });
    footer.append(h('p', { class: 'reader-question' }, 'Did this answer your question?'), button);
  };

  const close = () => {
    if (element.hidden) return;
    element.hidden = true;
    current = null;
    options.onToggle(false);
    returnFocus?.focus();
  };

  const open = async (suggestion: Suggestion, trigger: HTMLElement) => {
    current = suggestion;
    returnFocus = trigger;
    title.textContent = suggestion.title;
    body.replaceChildren(h('p', { class: 'muted' }, 'Loading the article…'));
    renderFooter();
    element.hidden = false;
    options.onToggle(true);
    title.focus();
    try {
      const article = await options.load(suggestion.articleId);
      if (current !== suggestion) return;
      if (article.title) title.textContent = article.title;
      body.replaceChildren(articleBody(article.body));
    } catch {
      if (current !== suggestion) return;
      const retry = h('button', { type: 'button', class: 'link' }, 'Try again');
      retry.addEventListener('click', () => void open(suggestion, trigger));
      body.replaceChildren(
        h('p', { class: 'field-error', role: 'alert' }, 'This article could not be loaded. ', retry),
      );
    }
  };

  back.addEventListener('click', close);
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  });
  return {
    element,
    open,
    close,
    get isOpen() {
      return !element.hidden;
    },
  };
}
