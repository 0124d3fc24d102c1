import { userEvents } from '../identity/user';
import { liveChatEvents } from '../live-chat/session';
import { helpdeskEvents } from '../helpdesk/ticket';
import { knowledgeBaseEvents } from '../knowledge-base/article';
import { teamChatEvents } from '../team-chat/index';
import { auditEvents } from '../audit/events';
import { EventCatalogue } from './catalogue';
import type { EventDefinition } from './define';

/** Every event definition of the system; each domain module adds its list here. */
export const allEventDefinitions: EventDefinition[] = [...userEvents, ...teamChatEvents, ...liveChatEvents, ...helpdeskEvents, ...knowledgeBaseEvents, ...auditEvents] as EventDefinition[];

export const catalogue = new EventCatalogue(allEventDefinitions);
