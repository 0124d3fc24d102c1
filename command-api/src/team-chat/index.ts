export { teamChatCommands } from './commands';
export { registerAttachmentUpload } from './attachments/routes';
export * from './decide';
