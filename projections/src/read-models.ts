import type { UsersTable } from './identity/users';
import type { TcAttachmentsTable, TcChannelsTable, TcMembersTable, TcMessagesTable } from './team-chat/tables';

/** Every read-model table, as query-api reads them (kysely types). */
export interface ReadModels {
  users: UsersTable;
  tc_channels: TcChannelsTable;
  tc_members: TcMembersTable;
  tc_messages: TcMessagesTable;
  tc_attachments: TcAttachmentsTable;
}
