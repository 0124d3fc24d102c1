import type { UsersTable } from './identity/users';
import type { LiveChatMessagesTable, LiveChatSessionsTable } from './live-chat/sessions';
import type {
  HelpdeskTicketCommentsTable,
  HelpdeskTicketSessionsTable,
  HelpdeskTicketsTable,
} from './helpdesk/tickets';
import type { KbArticlesTable } from './knowledge-base/articles';
import type {
  TcAttachmentsTable,
  TcChannelsTable,
  TcMembersTable,
  TcMessagesTable,
} from './team-chat/tables';

/** Every read-model table, as query-api reads them (kysely types). */
export interface ReadModels {
  users: UsersTable;
  livechat_sessions: LiveChatSessionsTable;
  livechat_messages: LiveChatMessagesTable;
  helpdesk_tickets: HelpdeskTicketsTable;
  helpdesk_ticket_comments: HelpdeskTicketCommentsTable;
  helpdesk_ticket_sessions: HelpdeskTicketSessionsTable;
  kb_articles: KbArticlesTable;
  tc_channels: TcChannelsTable;
  tc_members: TcMembersTable;
  tc_messages: TcMessagesTable;
  tc_attachments: TcAttachmentsTable;
}
