import { h, icon, ICONS } from './dom';

export const MAX_MESSAGE_LENGTH = 2000;

/** Text box + Send. Enter sends, Shift+Enter starts a new line; the box grows with its text. */
export function composer(onSend: (body: string) => void) {
  const input = h('textarea', {
    id: 'composer-input',
    rows: 1,
    maxlength: MAX_MESSAGE_LENGTH,
    placeholder: 'Write a message…',
    enterkeyhint: 'send',
    'aria-describedby': 'composer-hint',
  });
  const send = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send message' }, icon(ICONS.send));
  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
  };
  const form = h(
    'form',
    { class: 'composer' },
    h('label', { for: 'composer-input', class: 'sr-only' }, 'Message'),
    h('span', { id: 'composer-hint', class: 'sr-only' }, 'Press Enter to send, Shift+Enter for a new line.'),
    input,
    send,
  );
  const submit = () => {
    const body = input.value.trim();
    if (!body) return;
    onSend(body);
    input.value = '';
    grow();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('input', grow);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  return { element: form, input, setPlaceholder: (text: string) => (input.placeholder = text) };
}
