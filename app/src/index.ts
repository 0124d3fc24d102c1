export * from './system';
export * from './seed/demo';
export * from './seed/ids';
