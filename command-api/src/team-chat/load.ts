import { fold, type Aggregate, type RecordedEvent } from '@chat/events';
import type { CommandContext } from '../commands/define';
import type { ActingUser } from './decide';

/** A stream folded into its aggregate's state, with the history it came from. */
export async function load<State>(
  context: CommandContext,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  aggregate: Aggregate<State, any>,
  streamId: string,
): Promise<{ state: State; history: RecordedEvent[]; position: bigint }> {
  const history = await context.store.readStream(streamId);
  return { state: fold(aggregate, history), history, position: history[history.length - 1]?.position ?? 0n };
}

/** The signed-in user a Team chat command acts for. */
export function actingUser(context: CommandContext): ActingUser {
  if (context.issuer.kind !== 'user') throw new Error('Team chat commands need a signed-in user');
  return { userId: context.issuer.principal.userId, role: context.issuer.principal.role };
}
