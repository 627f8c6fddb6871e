/** Words for what the API answers in codes: prices, order statuses, typed refusals, errors. */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client';

export function money(amount: number, currency = 'USD'): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);
}

export const STATUS_WORDS: Record<string, string> = {
  PENDING_PAYMENT: 'Awaiting payment',
  PAYMENT_FAILED: 'Payment failed',
  EXPIRED: 'Expired',
  PREPARING: 'Preparing',
  SHIPPING: 'Shipping',
  DELIVERED: 'Delivered',
  CANCELED: 'Canceled',
  RETURN_REQUESTED: 'Return requested',
  RETURNED: 'Returned',
};

export function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

const wholeNumber = new Intl.NumberFormat('en-US');

/** A whole number with thousands separators: 1,234 (one formatter, built once: the line's figures re-render every tick). */
export function count(n: number): string {
  return wholeNumber.format(n);
}

/** An estimated wait in words: "about 40 seconds", "about 3 minutes". */
export function aboutWait(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 5) return 'a few seconds';
  if (s < 60) return `about ${s} seconds`;
  const m = Math.round(s / 60);
  if (m < 90) return `about ${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.round(m / 60);
  return `about ${h} hour${h === 1 ? '' : 's'}`;
}

export interface OrderRefusal {
  code: string;
  message: string;
  available?: number | null;
  limit?: number | null;
  opensAt?: string | null;
  /** NOT_ADMITTED: why the waiting room refused the order. */
  reason?: string | null;
  /** NOT_ADMITTED, WAITING: numbers still ahead. */
  place?: number | null;
}

/** Why a waiting-room sale refused an order without a served ticket (NOT_ADMITTED), in words. */
function notAdmittedMessage(e: OrderRefusal): string {
  switch (e.reason) {
    case 'WAITING':
      return `Not your turn yet: ${e.place != null ? `${count(e.place)} ahead of you in line` : 'you are still in line'}.`;
    case 'EXPIRED':
      return 'Your turn has passed: the time to buy ran out.';
    case 'USED':
      return 'Your place in line has already bought once (see My orders).';
    case 'NOT_IN_LINE':
      return 'You are not in this sale\'s line yet: join the line first.';
    case 'INVALID':
      return 'Your place in line could not be verified: join the line again.';
    default:
      return 'This sale has a waiting room: join the line on the product page and buy when it is your turn.';
  }
}

/** The buyer-facing sentence for a typed order refusal. */
export function refusalMessage(e: OrderRefusal): string {
  switch (e.code) {
    case 'SOLD_OUT':
      return `Sold out: only ${e.available ?? 0} left.`;
    case 'LIMIT_EXCEEDED':
      return `Limit per customer reached: at most ${e.limit ?? '?'} per customer.`;
    case 'SALE_NOT_OPEN':
      return `The sale is not open yet${e.opensAt ? ` (opens ${new Date(e.opensAt).toLocaleString()})` : ''}.`;
    case 'SALE_CLOSED':
      return 'The sale has closed.';
    case 'PAYMENT_DECLINED':
      return 'Payment declined: the units went back on sale. Try another card.';
    case 'ORDER_EXPIRED':
      return 'The reservation expired before payment.';
    case 'NOT_ADMITTED':
      return notAdmittedMessage(e);
    default:
      return e.message;
  }
}

export interface Failure {
  /** A retry may succeed (network error, busy service): keep the idempotency key. */
  retryable: boolean;
  message: string;
}

/** A thrown request error in words; rate limits and overload say how long to wait. */
export function failureOf(err: unknown): Failure {
  const retryAfterOf = (ext: Record<string, unknown> | undefined) => Number(ext?.retryAfter ?? 1);
  if (CombinedGraphQLErrors.is(err)) {
    const first = err.errors[0];
    const code = first?.extensions?.code;
    if (code === 'RATE_LIMITED') return { retryable: true, message: `Too many requests: try again in ${retryAfterOf(first.extensions)} s.` };
    if (code === 'SERVICE_UNAVAILABLE') return { retryable: true, message: `The shop is busy: try again in ${retryAfterOf(first.extensions)} s.` };
    if (code === 'UNAUTHENTICATED') return { retryable: false, message: 'Please sign in first.' };
    return { retryable: false, message: first?.message ?? 'Request failed.' };
  }
  if (ServerError.is(err)) {
    let ext: Record<string, unknown> | undefined;
    try {
      ext = (JSON.parse(err.bodyText) as { errors?: Array<{ extensions?: Record<string, unknown> }> }).errors?.[0]?.extensions;
    } catch {
      ext = undefined;
    }
    if (err.statusCode === 429) return { retryable: true, message: `Too many requests: try again in ${retryAfterOf(ext)} s.` };
    if (err.statusCode === 503) return { retryable: true, message: `The shop is busy: try again in ${retryAfterOf(ext)} s.` };
    if (err.statusCode === 401) return { retryable: false, message: 'Please sign in first.' };
    return { retryable: false, message: `Request failed (HTTP ${err.statusCode}).` };
  }
  return { retryable: true, message: 'Network problem: press the button again to retry (the same attempt is reused, nothing is bought twice).' };
}
