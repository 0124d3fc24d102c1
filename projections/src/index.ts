import { usersProjector } from './identity/users';
import { teamChatProjector } from './team-chat/projector';
import type { Projector, Reactor } from './runtime/types';

export * from './runtime/types';
export * from './runtime/runner';
export * from './runtime/rebuild';
export * from './runtime/checkpoints';
export type { ReadModels } from './read-models';

/** Every projector of the system, in no particular order (each has its own checkpoint). */
export const allProjectors: Projector[] = [usersProjector, teamChatProjector];

/** Reactors need commands to issue, so they are built where the command bus is (see app/). */
export type ReactorFactory = () => Reactor[];
