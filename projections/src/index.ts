import { usersProjector } from './identity/users';
import { liveChatProjector } from './live-chat/sessions';
import { helpdeskProjector } from './helpdesk/tickets';
import { knowledgeBaseProjector } from './knowledge-base/articles';
import { teamChatProjector } from './team-chat/projector';
import type { Projector, Reactor } from './runtime/types';

export * from './runtime/types';
export * from './runtime/runner';
export * from './runtime/rebuild';
export * from './runtime/checkpoints';
export type { ReadModels } from './read-models';
export * from './live-chat/sessions';
export * from './helpdesk/tickets';
export * from './knowledge-base/articles';
export * from './knowledge-base/search';
export * from './knowledge-base/bot';

/** Every projector of the system, in no particular order (each has its own checkpoint). */
export const allProjectors: Projector[] = [
  usersProjector,
  teamChatProjector,
  liveChatProjector,
  helpdeskProjector,
  knowledgeBaseProjector,
];

/** Reactors need commands to issue, so they are built where the command bus is (see app/). */
export type ReactorFactory = () => Reactor[];
