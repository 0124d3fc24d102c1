import type { CommandBus } from '@chat/command-api';
import type { Reactor } from '@chat/projections';
import type { Platform } from '@chat/platform';

/** Every reactor (process manager) of the system; each issues commands through the bus. */
export function createReactors(_bus: CommandBus, _platform: Platform): Reactor[] {
  return [];
}
