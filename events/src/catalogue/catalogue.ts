import type { EventDefinition } from './define';

export class UnknownEventTypeError extends Error {
  constructor(readonly eventType: string) {
    super(`unknown event type ${eventType}`);
  }
}

/** Every event type the system knows, with its schema, personal-data fields and upcasters. */
export class EventCatalogue {
  private readonly byType = new Map<string, EventDefinition>();

  constructor(definitions: Iterable<EventDefinition>) {
    for (const definition of definitions) {
      if (this.byType.has(definition.type)) throw new Error(`event type ${definition.type} defined twice`);
      this.byType.set(definition.type, definition);
    }
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  get(type: string): EventDefinition {
    const definition = this.byType.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Validates data against the newest schema before it is written; answers the parsed data. */
  validate(type: string, data: unknown): { version: number; data: Record<string, unknown> } {
    const definition = this.get(type);
    const parsed = definition.schema.parse(data) as Record<string, unknown>;
    return { version: definition.version, data: parsed };
  }

  /** Brings recorded data up to the newest version. Unknown types pass through unchanged. */
  upcast(type: string, version: number, data: Record<string, unknown>): { version: number; data: Record<string, unknown> } {
    const definition = this.byType.get(type);
    if (!definition) return { version, data };
    let current = data;
    for (let v = version; v < definition.version; v++) {
      const upcaster = definition.upcasters?.[v];
      if (!upcaster) throw new Error(`no upcaster for ${type} v${v}`);
      current = upcaster(current);
    }
    return { version: Math.max(version, definition.version), data: current };
  }
}
