export * from './order-state-machine';
export * from './order-lifecycle';
