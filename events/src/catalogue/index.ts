import { userEvents } from '../identity/user';
import { EventCatalogue } from './catalogue';
import type { EventDefinition } from './define';

/** Every event definition of the system; each domain module adds its list here. */
export const allEventDefinitions: EventDefinition[] = [...userEvents] as EventDefinition[];

export const catalogue = new EventCatalogue(allEventDefinitions);
