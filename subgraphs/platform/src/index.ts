import 'reflect-metadata';

export * from './config';
export * from './secrets';
export * from './logger';
export * from './errors';
export * from './identity';
export * from './tokens';
export * from './redis';
export * from './keys';
export * from './orm';
export * from './events';
export * from './federation';
export * from './context';
export * from './server';
export * from './process';
export * from './subgraph';
export * from './pagination';
export * from './request-log';
