export * from './subgraph';
