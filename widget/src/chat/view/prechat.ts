import type { VisitorProfile } from '../storage';
import { h } from './dom';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Name (required) and email (optional), with errors tied to their fields for screen readers. */
export function prechatForm(greeting: string, onStart: (profile: VisitorProfile) => void): HTMLFormElement {
  const nameError = h('p', { class: 'field-error', id: 'name-error', hidden: true });
  const emailError = h('p', { class: 'field-error', id: 'email-error', hidden: true });
  const name = h('input', {
    id: 'name',
    name: 'name',
    autocomplete: 'name',
    maxlength: 80,
    required: true,
    'aria-describedby': 'name-error',
  });
  const email = h('input', {
    id: 'email',
    name: 'email',
    type: 'email',
    autocomplete: 'email',
    inputmode: 'email',
    maxlength: 200,
    'aria-describedby': 'email-hint email-error',
  });

  const fail = (input: HTMLInputElement, error: HTMLElement, message: string) => {
    input.setAttribute('aria-invalid', 'true');
    error.textContent = message;
    error.hidden = false;
  };
  const clear = (input: HTMLInputElement, error: HTMLElement) => {
    input.removeAttribute('aria-invalid');
    error.hidden = true;
  };
  name.addEventListener('input', () => clear(name, nameError));
  email.addEventListener('input', () => clear(email, emailError));

  const form = h(
    'form',
    { class: 'prechat', novalidate: true, 'aria-labelledby': 'prechat-title' },
    h('h2', { id: 'prechat-title', class: 'greeting' }, greeting || 'Hi! How can we help?'),
    h(
      'p',
      { class: 'lead' },
      'Tell us who you are and we will connect you with our team. We usually reply within a few minutes.',
    ),
    h('label', { for: 'name' }, 'Your name'),
    name,
    nameError,
    h('label', { for: 'email' }, 'Email ', h('span', { class: 'optional' }, '(optional)')),
    email,
    h('p', { class: 'hint', id: 'email-hint' }, 'Only used to follow up if we get disconnected.'),
    emailError,
    h('button', { type: 'submit', class: 'primary' }, 'Start chat'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const profile = { name: name.value.trim(), email: email.value.trim() };
    let firstInvalid: HTMLInputElement | null = null;
    if (!profile.name) {
      fail(name, nameError, 'Please tell us your name.');
      firstInvalid = name;
    }
    if (profile.email && !EMAIL.test(profile.email)) {
      fail(email, emailError, 'That email address does not look right.');
      firstInvalid ??= email;
    }
    if (firstInvalid) return firstInvalid.focus();
    onStart(profile);
  });
  return form;
}
