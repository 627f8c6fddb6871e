export * from './line-keys';
export * from './ticket';
export * from './waiting-line';
