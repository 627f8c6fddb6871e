/**
 * Placing and paying an order, shared by the product page's Buy now and the cart.
 *
 * Invariant: one idempotency key per purchase attempt. It is made on the first press and kept
 * while the outcome is unknown (network error, SERVICE_UNAVAILABLE, rate limit), so pressing again
 * replays the same attempt and never buys twice; a definite answer (an order or a typed refusal)
 * ends the attempt and the next press makes a new key.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { graphql } from '../gql';
import { Field, Status } from '../widgets';
import { STATUS_WORDS, duration, failureOf, money, refusalMessage } from '../format';

const PlaceOrder = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      order { id status total currency reservationExpiresAt }
      userErrors { code message available limit opensAt reason place }
    }
  }
`);
const PayOrder = graphql(`
  mutation PayOrder($orderId: ID!, $payment: PaymentInput!) {
    payOrder(orderId: $orderId, payment: $payment) {
      order { id status total currency reservationExpiresAt }
      userErrors { code message }
    }
  }
`);

export interface PlacedOrder {
  id: string;
  status: string;
  total: number;
  currency: string;
  reservationExpiresAt: string;
}

/**
 * place(lines) → the order, or null with `message` set to why not. A sale behind a waiting room
 * needs `waitingRoomTicket`, the buyer's served ticket for it (waiting-room/useWaitingRoom.ts).
 */
export function usePlaceOrder() {
  const client = useApolloClient();
  const key = useRef<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const place = async (items: Array<{ productId: string; quantity: number }>, waitingRoomTicket?: string): Promise<PlacedOrder | null> => {
    key.current ??= crypto.randomUUID();
    setBusy(true);
    setMessage(null);
    try {
      const input = { items, idempotencyKey: key.current, ...(waitingRoomTicket ? { waitingRoomTicket } : {}) };
      const { data } = await client.mutate({ mutation: PlaceOrder, variables: { input } });
      key.current = null; // a definite answer: this attempt is over
      const p = data!.placeOrder;
      if (p.order) return p.order;
      setMessage(p.userErrors.map(refusalMessage).join(' '));
      return null;
    } catch (err) {
      const f = failureOf(err);
      if (!f.retryable) key.current = null;
      setMessage(f.message);
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { place, busy, message };
}

/** Seconds left, ticking every second, until `iso` (by this browser's clock). */
export function useRemaining(iso: string | null, offsetMs = 0): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [iso]);
  return iso ? Date.parse(iso) - (now + offsetMs) : null;
}

export function PaymentForm({ order, onPaid }: { order: PlacedOrder; onPaid?: () => void }) {
  const client = useApolloClient();
  const [current, setCurrent] = useState(order);
  const [card, setCard] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const left = useRemaining(current.status === 'PENDING_PAYMENT' ? current.reservationExpiresAt : null);
  const pay = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { data } = await client.mutate({ mutation: PayOrder, variables: { orderId: current.id, payment: { cardNumber: card } } });
      const p = data!.payOrder;
      if (p.order) setCurrent(p.order);
      const err = p.userErrors[0];
      setMessage(err ? { text: refusalMessage(err), error: true } : { text: 'Paid, thank you!', error: false });
      if (!err) onPaid?.();
    } catch (err) {
      setMessage({ text: failureOf(err).message, error: true });
    }
  };
  return (
    <section className="panel" aria-label="Payment">
      <h2>
        Order {money(current.total, current.currency)}: <span className="status">{STATUS_WORDS[current.status] ?? current.status}</span>
      </h2>
      {current.status === 'PENDING_PAYMENT' && (
        <>
          <p>Reserved for you for {left !== null && left > 0 ? duration(left) : 'no longer'}.</p>
          <form onSubmit={(e) => void pay(e)}>
            <Field label="Card number">
              <input inputMode="numeric" autoComplete="cc-number" required value={card} onChange={(e) => setCard(e.target.value)} />
            </Field>
            <p className="note">
              Test cards: <code>4242 4242 4242 4242</code> succeeds, <code>4000 0000 0000 0002</code> is declined.
            </p>
            <button type="submit">Pay</button>
          </form>
        </>
      )}
      <Status message={message?.text ?? null} error={message?.error} />
    </section>
  );
}
