export { teamChatProjector, quoteSnippet } from './projector';
export * from './tables';
