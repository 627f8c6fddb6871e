/** The cart subgraph's public entry point: what scripts, the launcher and the tests may use. */
export * from './subgraph';
export { migrations as cartMigrations } from './migrations';
