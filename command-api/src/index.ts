export * from './app';
export * from './commands/bus';
export * from './commands/define';
export * from './commands/decide-and-append';
export * from './commands/routes';
export * from './commands/services';
