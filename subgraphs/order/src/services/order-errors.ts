/** The typed refusals (`userErrors`) the order changes answer with. */
import { OrderStatus, Order } from '../entities/order.entity';
import { OrderError, OrderErrorCode } from '../types/order.types';

export function orderError(code: OrderErrorCode, message: string, extra: Partial<OrderError> = {}): OrderError {
  return { code, message, ...extra };
}

/** Why an order cannot be paid. */
export function payRefusal(order: Order): OrderError {
  if (order.paidAt) return orderError(OrderErrorCode.ALREADY_PAID, 'This order is paid already');
  if (order.status === OrderStatus.EXPIRED) return orderError(OrderErrorCode.ORDER_EXPIRED, 'The reservation expired before payment; nothing was charged');
  return orderError(OrderErrorCode.INVALID_STATE, `This order cannot be paid; it is ${order.status}`);
}
