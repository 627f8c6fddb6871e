/**
 * The order subgraph's public entry point: what scripts, the bench, the chaos runs and the tests
 * may use (its module, services and the parts of its state they read or drive).
 */
export * from './subgraph';
export { migrations as orderMigrations } from './migrations';
export { createOrderServices, type OrderServiceOverrides } from './services';
export { Order, OrderStatus } from './entities/order.entity';
export { OrderItem } from './entities/order-item.entity';
export { ORDER_ACTIONS, TRANSITIONS, type OrderAction } from './lifecycle';
export type { Clock } from './services/clock';
export { LockBusyError, Locks, lockMasters } from './services/locks';
export { PaymentSimulator, TEST_CARD_DECLINE, TEST_CARD_SUCCESS, type ChargeRequest, type PaymentProvider } from './services/payment';
export { OrderCommits } from './services/placement/order-commits';
export { orderKeys } from './services/reservation.service';
export { ORPHAN_GRACE_MS } from './services/sweeper';
