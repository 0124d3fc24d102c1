import type { ChatController, ChatView } from '../controller';
import { composer } from './composer';
import { h, icon, ICONS } from './dom';
import { MessageList } from './messages';
import { prechatForm } from './prechat';
import { articleReader } from './reader';

export interface AppOptions {
  controller: ChatController;
  greeting: string;
  /** Present when embedded by the loader: asks the host page to close the panel. */
  minimize: (() => void) | null;
  /** Tells the host page whether the article reader wants a bigger panel. */
  resize: (expanded: boolean) => void;
}

function subtitle(view: ChatView): string {
  const s = view.snapshot;
  if (!view.session || !s) return 'We usually reply within a few minutes';
  if (s.status === 'CLOSED') return 'Chat ended';
  if (s.status === 'ACTIVE' || s.agentJoined) return `Chatting with ${s.agentName ?? 'our team'}`;
  return 'Waiting for an agent';
}

function statusText(view: ChatView): string {
  if (view.reconnecting) return 'Connection lost. Reconnecting…';
  const s = view.snapshot;
  if (view.expired && !view.session)
    return 'Your previous chat is no longer available. Write a message to start a new one.';
  if (!s || s.status !== 'WAITING' || s.agentJoined) return '';
  return s.queuePosition
    ? `You are number ${s.queuePosition} in the queue. An agent will be with you shortly.`
    : 'An agent will be with you shortly.';
}

/** Builds the whole chat UI into `root` and keeps it in step with the controller. */
export function mountApp(root: HTMLElement, options: AppOptions) {
  const { controller } = options;
  const announcer = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'false' });
  const announce = (text: string) => {
    announcer.append(h('p', {}, text));
    while (announcer.childElementCount > 5) announcer.firstElementChild?.remove();
  };

  const sub = h('p', { class: 'subtitle' });
  const endButton = h('button', { type: 'button', class: 'header-button', hidden: true }, 'End chat');
  const minimize = options.minimize
    ? h(
        'button',
        { type: 'button', class: 'icon-button', 'aria-label': 'Minimize chat', onclick: options.minimize },
        icon(ICONS.minimize),
      )
    : null;
  const header = h(
    'header',
    { class: 'header' },
    h('div', { class: 'header-text' }, h('h1', {}, 'Chat with us'), sub),
    endButton,
    minimize,
  );
  const status = h('p', { class: 'status', role: 'status' });
  const main = h('main', { class: 'main' });

  const reader = articleReader({
    load: (id) => controller.loadArticle(id),
    solved: (id) => controller.markSolved(id),
    isSolved: (id) => controller.view().solved.has(id),
    onToggle: (open) => {
      main.inert = open;
      header.inert = open;
      options.resize(open);
    },
  });

  const list = new MessageList(
    {
      openArticle: (suggestion, trigger) => void reader.open(suggestion, trigger),
      solved: (id) => void controller.markSolved(id),
      retry: () => controller.retry(),
      discard: (id) => controller.discard(id),
    },
    announce,
  );
  const scroller = h('div', { class: 'scroller' }, list.element);
  const write = composer((body) => {
    controller.send(body);
    stickToBottom = true;
  });

  // End chat asks first, in place of the composer.
  const confirmText = h('p', { id: 'end-question' }, 'End this chat?');
  const confirmEnd = h('button', { type: 'button', class: 'danger' }, 'End chat');
  const confirmKeep = h('button', { type: 'button', class: 'secondary' }, 'Keep chatting');
  const confirm = h(
    'div',
    { class: 'confirm', role: 'group', 'aria-labelledby': 'end-question', hidden: true },
    confirmText,
    h('div', { class: 'confirm-actions' }, confirmKeep, confirmEnd),
  );
  const endError = h('p', { class: 'field-error end-error', role: 'alert', hidden: true });
  const conversation = h('div', { class: 'conversation' }, scroller, endError, confirm, write.element);

  const askEnd = (show: boolean) => {
    confirm.hidden = !show;
    write.element.hidden = show;
    if (show) confirmKeep.focus();
    else write.input.focus();
  };
  endButton.addEventListener('click', () => askEnd(true));
  confirmKeep.addEventListener('click', () => askEnd(false));
  confirmEnd.addEventListener('click', async () => {
    confirm.hidden = true;
    write.element.hidden = false;
    await controller.end();
    write.input.focus();
  });
  confirm.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      askEnd(false);
    }
  });

  let stickToBottom = true;
  scroller.addEventListener('scroll', () => {
    stickToBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  });

  let showing: 'prechat' | 'conversation' | null = null;
  const render = () => {
    const view = controller.view();
    sub.textContent = subtitle(view);
    const text = statusText(view);
    if (status.textContent !== text) status.textContent = text;
    status.hidden = !text;
    status.classList.toggle('warn', view.reconnecting);

    if (!view.profile) {
      if (showing !== 'prechat') {
        showing = 'prechat';
        main.replaceChildren(prechatForm(options.greeting, (profile) => controller.start(profile)));
      }
      endButton.hidden = true;
      return;
    }
    if (showing !== 'conversation') {
      const focusComposer = showing === 'prechat';
      showing = 'conversation';
      main.replaceChildren(conversation);
      if (focusComposer) write.input.focus();
    }
    const active = !!view.session && view.snapshot?.status !== 'CLOSED';
    endButton.hidden = !active;
    endButton.disabled = view.ending;
    if (!active && !confirm.hidden) askEnd(false);
    endError.textContent = view.endError ?? '';
    endError.hidden = !view.endError;
    write.setPlaceholder(
      view.snapshot?.status === 'CLOSED' ? 'Write to start a new chat…' : 'Write a message…',
    );
    const added = list.update(view.timeline, view.solved);
    if (added && stickToBottom) scroller.scrollTop = scroller.scrollHeight;
  };

  root.replaceChildren(h('div', { class: 'app' }, header, status, main, reader.element, announcer));
  controller.subscribe(render);
  render();

  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && options.minimize && !reader.isOpen) options.minimize();
  });

  return {
    /** Moves focus into the chat when the panel opens (not on touch screens: no surprise keyboard). */
    focus(): void {
      if (matchMedia('(pointer: coarse)').matches) return;
      const target = root.querySelector<HTMLElement>('.reader:not([hidden]) h2, #name, #composer-input');
      target?.focus();
    },
    scrollToEnd(): void {
      scroller.scrollTop = scroller.scrollHeight;
    },
  };
}
