import type { z } from 'zod';

/**
 * Which fields of an event hold personal data, and whose. Those fields are stored
 * encrypted under the subject's data key (crypto-shredding, see personal-data/).
 * Fields are top-level string (or optional string) properties of the event data.
 */
export interface PersonalDataSpec<Data> {
  subject: (data: Data) => string;
  fields: readonly (keyof Data & string)[];
}

export interface EventDefinition<Type extends string = string, Schema extends z.ZodType = z.ZodType> {
  type: Type;
  /** The newest schema version: events are written at this version and upcast to it on read. */
  version: number;
  schema: Schema;
  personalData?: PersonalDataSpec<z.infer<Schema>>;
  /** upcasters[v] turns data of version v into data of version v + 1. */
  upcasters?: Record<number, (data: Record<string, unknown>) => Record<string, unknown>>;
}

export function defineEvent<Type extends string, Schema extends z.ZodType>(
  definition: EventDefinition<Type, Schema>,
): EventDefinition<Type, Schema> {
  return definition;
}

/** The plain `{type, data}` shape of a defined event, as deciders emit it and evolve folds it. */
export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? { type: T; data: z.infer<S> } : never;
