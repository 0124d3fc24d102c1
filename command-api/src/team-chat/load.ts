import {
  channelAggregate,
  channelMemberAggregate,
  channelStream,
  WrongExpectedRevisionError,
  type Aggregate,
  type ChannelState,
  type StreamCondition,
} from '@chat/events';
import type { CommandContext } from '../commands/define';
import { keepFolded, keptState, loadState, type Loaded } from '../commands/stream-state';
import type { ActingUser } from './decide';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAggregate<State> = Aggregate<State, any>;

/**
 * A channel is read for every message posted to it, and a member's stream grows with every read
 * mark: both are folded once per process and then read only from where the fold ends. Neither
 * state holds personal data (a kept message or user state would outlive an erasure).
 */
keepFolded(channelAggregate);
keepFolded(channelMemberAggregate);

/** A stream folded into its aggregate's state, as of everything it holds now. */
export function load<State>(
  context: CommandContext,
  aggregate: AnyAggregate<State>,
  streamId: string,
): Promise<Loaded<State>> {
  return loadState(context.store, aggregate, streamId);
}

/** A decision on a kept channel is checked this many times, then goes in as checked on the last read. */
const MAX_CHECKED_ATTEMPTS = 4;

/**
 * Acts on a channel as this process last folded it, without reading its stream: `act` decides
 * and appends on condition that the channel's stream still ends there (`unchanged`), so a post or
 * a read mark costs one statement. A refusal is confirmed on a fresh read first, and a channel
 * that changed meanwhile (joined, left, deleted) is read again and decided on anew; past a few
 * changes in a row, the last read is taken as checked. `read: true` reads the channel first and
 * asks no condition, for decisions with effects of their own before the append.
 */
export async function onKeptChannel<T>(
  context: CommandContext,
  channelId: string,
  act: (channel: Loaded<ChannelState>, unchanged: StreamCondition[]) => Promise<T>,
  options: { read?: boolean } = {},
): Promise<T> {
  const streamId = channelStream(channelId);
  let channel = options.read ? undefined : keptState(context.store, channelAggregate, streamId);
  let read = false;
  for (let attempt = 1; ; attempt++) {
    if (!channel) {
      channel = await load(context, channelAggregate, streamId);
      read = true;
    }
    const checked = !options.read && attempt < MAX_CHECKED_ATTEMPTS;
    try {
      return await act(channel, checked ? [{ streamId, revision: channel.revision }] : []);
    } catch (error) {
      const changed = error instanceof WrongExpectedRevisionError && error.streamId === streamId;
      if (!changed && read) throw error;
      channel = undefined;
    }
  }
}

/** The signed-in user a Team chat command acts for. */
export function actingUser(context: CommandContext): ActingUser {
  if (context.issuer.kind !== 'user') throw new Error('Team chat commands need a signed-in user');
  return { userId: context.issuer.principal.userId, role: context.issuer.principal.role };
}
