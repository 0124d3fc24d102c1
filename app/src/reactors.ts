import type { CommandBus } from '@chat/command-api';
import { createKnowledgeBaseBot, type ReadModels, type Reactor } from '@chat/projections';
import type { Platform } from '@chat/platform';
import type { Kysely } from 'kysely';
import { kbBotIssuer } from './live-chat/kb-bot';

/** Every reactor (process manager) of the system; each issues commands through the bus. */
export function createReactors(bus: CommandBus, platform: Platform): Reactor[] {
  return [createKnowledgeBaseBot({ db: platform.database.db as Kysely<ReadModels>, logger: platform.logger, issue: kbBotIssuer(bus) })];
}
