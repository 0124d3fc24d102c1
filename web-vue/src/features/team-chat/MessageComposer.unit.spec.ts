import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { Channel } from '../../api/types';

vi.mock('../../api/channels', () => ({ postMessage: vi.fn().mockResolvedValue({ position: '1' }) }));
vi.mock('../../api/users', () => ({ listUsers: vi.fn() }));
const api = await import('../../api/channels');
const { default: MessageComposer } = await import('./MessageComposer.vue');
const { default: MessageItem } = await import('./MessageItem.vue');
const { useTeamChatStore } = await import('./useTeamChatStore');

const channel: Channel = {
  id: 'c1',
  name: 'general',
  kind: 'public',
  description: null,
  memberCount: 2,
  isMember: true,
  role: 'MEMBER',
  unread: 0,
  muted: false,
  lastActivityAt: null,
};

describe('MessageComposer', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.mocked(api.postMessage).mockClear();
  });

  it('sends on Enter and keeps Shift+Enter for a new line', async () => {
    useTeamChatStore().setCurrentUser({ id: 'u1', name: 'Emma' });
    const wrapper = mount(MessageComposer, { props: { channel, replyingTo: null } });
    const input = wrapper.get('[data-testid=composer-input]');
    await input.setValue('first line');
    await input.trigger('keydown', { key: 'Enter', shiftKey: true });
    expect(api.postMessage).not.toHaveBeenCalled();

    await input.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(api.postMessage).toHaveBeenCalledWith(
      expect.objectContaining({ channelId: 'c1', body: 'first line' }),
    );
    expect((input.element as HTMLTextAreaElement).value).toBe('');
  });
});

describe('MessageItem', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('renders markup in a message as text, and links only http(s) URLs', () => {
    const wrapper = mount(MessageItem, {
      props: {
        compact: false,
        canPost: true,
        message: {
          id: 'm1',
          seq: 1,
          author: { id: 'u2', name: 'Mitch' },
          body: '<img src=x onerror=alert(1)> see https://example.com and javascript:alert(2)',
          createdAt: '2026-01-01T10:00:00Z',
          editedAt: '2026-01-01T10:01:00Z',
          deleted: false,
          quote: null,
          reactions: [],
          attachments: [],
        },
      },
      global: { stubs: { ConfirmDialog: true } },
    });
    const body = wrapper.get('[data-testid=message-body]');
    expect(body.find('img').exists()).toBe(false);
    expect(body.text()).toContain('<img src=x onerror=alert(1)>');
    const links = body.findAll('a');
    expect(links.map((a) => a.attributes('href'))).toEqual(['https://example.com']);
    expect(links[0]!.attributes('rel')).toBe('noopener noreferrer');
    expect(wrapper.get('[data-testid=message-edited]').text()).toBe('(edited)');
  });
});
