

/** An aggregate's fold: how its events become the state its rules decide on. Shared with audit views. */
export interface Aggregate<State, Event extends { type: string; data: unknown }> {
  initialState: State;
  evolve: (state: State, event: Event) => State;
}

/** Folds recorded events (of any type; foreign ones are ignored by evolve) into state. */
export function fold<State, Event extends { type: string; data: unknown }>(
  aggregate: Aggregate<State, Event>,
  events: readonly { type: string; data: unknown }[],
): State {
  return events.reduce((state, event) => aggregate.evolve(state, event as unknown as Event), aggregate.initialState);
}
