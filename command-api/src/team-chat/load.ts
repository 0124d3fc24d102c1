import { channelAggregate, channelMemberAggregate, type Aggregate } from '@chat/events';
import type { CommandContext } from '../commands/define';
import { keepFolded, loadState, type Loaded } from '../commands/stream-state';
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

/** The signed-in user a Team chat command acts for. */
export function actingUser(context: CommandContext): ActingUser {
  if (context.issuer.kind !== 'user') throw new Error('Team chat commands need a signed-in user');
  return { userId: context.issuer.principal.userId, role: context.issuer.principal.role };
}
