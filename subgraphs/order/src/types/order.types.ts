/**
 * GraphQL inputs and payloads of the order mutations. Expected business outcomes (sold out, sale
 * not open, declined card, ...) are `userErrors` in the payload; anything else is a GraphQL error
 * from the platform catalogue.
 */
import { ArrayMaxSize, ArrayMinSize, IsOptional, Matches, Max, MaxLength, Min, ValidateBy, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection, connectionType, MAX_TICKET_LENGTH, UserErrorFields, UUID_PATTERN } from '@flashsale/platform';
import { Order } from '../entities/order.entity';

export enum OrderErrorCode {
  SOLD_OUT = 'SOLD_OUT',
  SALE_NOT_OPEN = 'SALE_NOT_OPEN',
  SALE_CLOSED = 'SALE_CLOSED',
  LIMIT_EXCEEDED = 'LIMIT_EXCEEDED',
  UNKNOWN_PRODUCT = 'UNKNOWN_PRODUCT',
  NOT_FOR_SALE = 'NOT_FOR_SALE',
  MIXED_CURRENCIES = 'MIXED_CURRENCIES',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  PAYMENT_DECLINED = 'PAYMENT_DECLINED',
  ORDER_EXPIRED = 'ORDER_EXPIRED',
  ALREADY_PAID = 'ALREADY_PAID',
  INVALID_STATE = 'INVALID_STATE',
  RETURN_WINDOW_CLOSED = 'RETURN_WINDOW_CLOSED',
  NOT_ADMITTED = 'NOT_ADMITTED',
}
registerEnumType(OrderErrorCode, {
  name: 'OrderErrorCode',
  valuesConfig: {
    SOLD_OUT: { description: 'Fewer units are left than asked for; `available` says how many.' },
    SALE_NOT_OPEN: { description: 'The sale opens at `opensAt`.' },
    SALE_CLOSED: { description: 'The sale closed at `closesAt`.' },
    LIMIT_EXCEEDED: { description: 'The order would take this buyer over `limit` units of the product (live orders count).' },
    UNKNOWN_PRODUCT: { description: 'No product has this id.' },
    NOT_FOR_SALE: { description: 'The product exists but is not for sale (inactive).' },
    MIXED_CURRENCIES: { description: 'All lines of one order must be priced in the same currency.' },
    IDEMPOTENCY_KEY_REUSED: { description: 'This idempotency key already placed an order with different lines.' },
    PAYMENT_DECLINED: { description: 'The payment was declined or timed out; the order is PAYMENT_FAILED and its units are back on sale.' },
    ORDER_EXPIRED: { description: 'The reservation expired before payment; nothing was charged.' },
    ALREADY_PAID: { description: 'The order is paid already; nothing was charged again.' },
    INVALID_STATE: { description: 'The order is not in a status that allows this.' },
    RETURN_WINDOW_CLOSED: { description: 'Returns are accepted within 24 hours of delivery.' },
    NOT_ADMITTED: {
      description:
        'The sale is behind a waiting room and this order has no served ticket of the buyer for the product; `reason` says why (NO_TICKET, INVALID, NOT_IN_LINE, WAITING with `place`, EXPIRED, USED). Nothing was reserved.',
    },
  },
});

@ObjectType('OrderError')
export class OrderError extends UserErrorFields {
  @Field(() => OrderErrorCode)
  code!: OrderErrorCode;

  @Field(() => ID, { nullable: true })
  productId?: string | null;

  @Field(() => Int, { nullable: true, description: 'SOLD_OUT: units left.' })
  available?: number | null;

  @Field(() => Date, { nullable: true, description: 'SALE_NOT_OPEN: when the sale opens.' })
  opensAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'SALE_CLOSED: when the sale closed.' })
  closesAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'LIMIT_EXCEEDED: most units one buyer may hold.' })
  limit?: number | null;

  @Field(() => String, { nullable: true, description: 'NOT_ADMITTED: NO_TICKET, INVALID (forged, altered, another buyer\'s or another product\'s ticket), NOT_IN_LINE, WAITING, EXPIRED (the order window passed) or USED (the ticket bought once already).' })
  reason?: string | null;

  @Field(() => Int, { nullable: true, description: 'NOT_ADMITTED with reason WAITING: numbers still ahead of this ticket\'s.' })
  place?: number | null;
}

export const ORDER_LIMITS = { lines: 10, quantity: 99 } as const;

/** The index and field of the first line naming a product an earlier line named (ids compare case-insensitively). */
function repeatedProduct(lines: unknown): string | null {
  const seen = new Set<string>();
  const list = Array.isArray(lines) ? (lines as Array<{ productId?: unknown }>) : [];
  for (const [i, line] of list.entries()) {
    const id = String(line?.productId ?? '').toLowerCase();
    if (seen.has(id)) return `${i}.productId`;
    seen.add(id);
  }
  return null;
}

@InputType('OrderLineInput')
export class OrderLineInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, { message: 'productId is not a product id' })
  productId!: string;

  @Field(() => Int, { description: '1 to 99.' })
  @Min(1, { message: `quantity must be 1 to ${ORDER_LIMITS.quantity}` })
  @Max(ORDER_LIMITS.quantity, { message: `quantity must be 1 to ${ORDER_LIMITS.quantity}` })
  quantity!: number;
}

@InputType('PlaceOrderInput')
export class PlaceOrderInput {
  @Field(() => [OrderLineInput], { description: '1 to 10 lines, each product once.' })
  @ArrayMinSize(1, { message: `An order has 1 to ${ORDER_LIMITS.lines} lines` })
  @ArrayMaxSize(ORDER_LIMITS.lines, { message: `An order has 1 to ${ORDER_LIMITS.lines} lines` })
  @ValidateNested()
  @ValidateBy(
    { name: 'eachProductOnce', validator: { validate: (lines: unknown) => repeatedProduct(lines) === null } },
    { message: 'Each product may appear once; put the total in its quantity', context: { elementAt: repeatedProduct } },
  )
  items!: OrderLineInput[];

  @Field({ description: 'Chosen by the client per checkout (1-100 of A-Z a-z 0-9 _ - : .); a replay returns the first order.' })
  @Matches(/^[A-Za-z0-9_\-:.]{1,100}$/, { message: 'idempotencyKey must be 1 to 100 of A-Z a-z 0-9 _ - : .' })
  idempotencyKey!: string;

  @Field(() => String, { nullable: true, description: 'The ticket POST /waiting-room/{productId} gave this buyer; needed (served) for a product whose sale is behind a waiting room.' })
  @IsOptional()
  @MaxLength(MAX_TICKET_LENGTH, { message: `waitingRoomTicket is at most ${MAX_TICKET_LENGTH} characters` })
  waitingRoomTicket?: string | null;
}

@InputType('PaymentInput')
export class PaymentInput {
  @Field({ description: 'Card number, 12-19 digits (spaces allowed). Simulator: 4242424242424242 succeeds, 4000000000000002 declines.' })
  @Matches(/^[\s-]*(?:\d[\s-]*){12,19}$/, { message: 'cardNumber must be 12 to 19 digits' })
  cardNumber!: string;
}

/** What every order mutation answers: the order (when there is one) and the business outcomes. */
export interface OrderOutcome {
  order: Order | null;
  userErrors: OrderError[];
}

/** One payload type per mutation (clients can select per mutation), all shaped like OrderOutcome. */
function orderPayload(name: string, description: string) {
  @ObjectType(name, { description })
  class Payload implements OrderOutcome {
    @Field(() => Order, { nullable: true })
    order!: Order | null;

    @Field(() => [OrderError])
    userErrors!: OrderError[];
  }
  return Payload;
}

export const PlaceOrderPayload = orderPayload('PlaceOrderPayload', 'The placed order (PENDING_PAYMENT), or why nothing was reserved.');
export const PayOrderPayload = orderPayload('PayOrderPayload', 'The order after the payment attempt, and why it was refused or declined.');
export const CancelOrderPayload = orderPayload('CancelOrderPayload', 'The order, CANCELED unless userErrors says why not.');
export const RequestReturnPayload = orderPayload('RequestReturnPayload', 'The order, RETURN_REQUESTED unless userErrors says why not.');

export const OrderConnection = connectionType('Order', Order);
export type OrderConnection = Connection<Order>;
