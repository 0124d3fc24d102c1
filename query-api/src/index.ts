export * from './app';
export * from './etag';
export * from './change-versions';
export * from './consistency/checkpoint-watcher';
