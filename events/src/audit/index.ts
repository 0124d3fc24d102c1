export * from './events';
export * from './signing';
export * from './checkpoint';
export * from './verify';
export * from './as-of';
export * from './audit-log';
