import { fold, type Aggregate } from '@chat/events';
import { AppError } from '@chat/platform';
import { expect } from 'vitest';

type AnyEvent = { type: string; data: unknown };

/**
 * Decider tests that read like the rule:
 * `given(aggregate, events).when((state) => decide(command, state)).then(events)` or `.thenThrows(code)`.
 */
export function given<State, Event extends AnyEvent>(aggregate: Aggregate<State, Event>, history: Event[] = []) {
  const state = fold(aggregate, history);
  return {
    when(decide: (state: State) => Event[]) {
      return {
        then(expected: Event[]) {
          expect(decide(state)).toEqual(expected);
        },
        thenThrows(code: string, status?: number) {
          let thrown: unknown;
          try {
            decide(state);
          } catch (error) {
            thrown = error;
          }
          expect(thrown, `expected ${code}`).toBeInstanceOf(AppError);
          expect((thrown as AppError).code).toBe(code);
          if (status) expect((thrown as AppError).status).toBe(status);
        },
      };
    },
  };
}
