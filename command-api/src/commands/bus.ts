import { randomUUID } from 'node:crypto';
import type { EventStore } from '@chat/events';
import { ForbiddenError, metrics, ValidationError } from '@chat/platform';
import { actorOf, type CommandAnswer, type CommandDefinition, type Issuer } from './define';
import type { CommandServices } from './services';

export interface Dispatch {
  name: string;
  body: unknown;
  issuer: Issuer;
  correlationId?: string;
  causationId?: string | null;
  /** The body is already the output of the command's schema (the HTTP route validated it with it). */
  parsed?: boolean;
}

/** Runs commands by name, whoever sends them: the HTTP API, reactors, the seed, the CLI. */
export class CommandBus {
  private readonly definitions = new Map<string, CommandDefinition>();

  constructor(
    private readonly store: EventStore,
    private readonly services: CommandServices,
    definitions: Iterable<CommandDefinition>,
  ) {
    for (const definition of definitions) {
      if (this.definitions.has(definition.name)) throw new Error(`command ${definition.name} defined twice`);
      this.definitions.set(definition.name, definition as CommandDefinition);
    }
  }

  list(): CommandDefinition[] {
    return [...this.definitions.values()];
  }

  async execute(dispatch: Dispatch): Promise<CommandAnswer> {
    const definition = this.definitions.get(dispatch.name);
    if (!definition) throw new ValidationError(`Unknown command ${dispatch.name}`, undefined, 'UNKNOWN_COMMAND');
    try {
      if (!definition.allow(dispatch.issuer)) throw new ForbiddenError(`You may not ${definition.name}`);
      const parsed = dispatch.parsed
        ? { success: true as const, data: dispatch.body }
        : definition.body.safeParse(dispatch.body);
      if (!parsed.success) {
        const details = parsed.error.issues.map((issue) => ({ field: ['body', ...issue.path].join('.'), message: issue.message }));
        throw new ValidationError('Some fields are not valid', details);
      }
      const answer = await definition.handle(
        {
          issuer: dispatch.issuer,
          store: this.store,
          services: this.services,
          now: new Date(),
          append: {
            actor: actorOf(dispatch.issuer),
            correlationId: dispatch.correlationId ?? randomUUID(),
            causationId: dispatch.causationId ?? null,
            command: definition.name,
          },
        },
        parsed.data,
      );
      metrics.commands.labels(definition.name, 'ok').inc();
      return answer;
    } catch (error) {
      const status = (error as { status?: number }).status;
      metrics.commands.labels(definition.name, status ? String(status) : 'error').inc();
      throw error;
    }
  }
}
