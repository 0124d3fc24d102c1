import { onScopeDispose, watch, type Ref } from 'vue';
import { usePolling } from '../../composables/usePolling';
import { useTeamChatStore } from './useTeamChatStore';

export const TEAM_CHAT_POLL_MS = 3_000;

/**
 * Keeps the sidebar and the open conversation fresh, both in one poll: restarted when the
 * conversation changes, triggered at once after the user's own writes. Whenever the server
 * counts unread messages in the open conversation (on open, or as others write), it is marked
 * read.
 */
export function useConversationPolling(channelId: Ref<string | null>) {
  const store = useTeamChatStore();

  const polling = usePolling((signal) => store.poll(channelId.value, signal), {
    interval: TEAM_CHAT_POLL_MS,
  });

  watch(channelId, (id, previous) => {
    store.setOpenChannel(id);
    if (id !== previous) polling.restart();
  });
  store.setOpenChannel(channelId.value);
  onScopeDispose(() => store.setOpenChannel(null));

  watch(
    () => {
      const id = channelId.value;
      const channel = id ? store.channelById.get(id) : undefined;
      return channel && channel.isMember && channel.unread > 0 ? channel.id : null;
    },
    (unreadOpenChannel) => {
      if (unreadOpenChannel && document.visibilityState !== 'hidden') void store.markRead(unreadOpenChannel);
    },
    { immediate: true },
  );

  watch(
    () => store.writes,
    () => polling.trigger(),
  );

  return polling;
}
