/** The user subgraph's public entry point: what scripts, the launcher and the tests may use. */
export * from './subgraph';
export { migrations as userMigrations } from './migrations';
export { assertMailConfigured } from './services/mailer';
export { RefreshTokenStore } from './services/refresh-tokens';
