import type { CommandBus } from '@chat/command-api';
import type { IssueCommand } from '@chat/projections';

/** The knowledge-base bot speaks as the system, through the same command pipeline as everyone. */
export function kbBotIssuer(bus: CommandBus): IssueCommand {
  return (name, body, cause) =>
    bus.execute({
      name,
      body,
      issuer: { kind: 'system', id: 'kb-bot' },
      correlationId: cause.correlationId,
      causationId: cause.causationId,
    });
}
