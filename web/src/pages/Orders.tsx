/** My orders, newest first, with their status in words; Cancel while preparing, Return within a day of delivery. */
import { useState } from 'react';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { useSession } from '../session-context';
import { STATUS_WORDS, failureOf, money, refusalMessage } from '../format';
import { SignInFirst, Status } from '../widgets';
import { PaymentForm } from './Checkout';

const RETURN_WINDOW_MS = 24 * 3600 * 1000;

const MyOrders = graphql(`
  query MyOrders($after: String) {
    me {
      id
      ordersConnection(first: 20, after: $after) {
        edges {
          node {
            id status total currency createdAt deliveredAt reservationExpiresAt
            items { quantity unitPrice product { id name } }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);
const CancelOrder = graphql(`
  mutation CancelOrder($orderId: ID!) {
    cancelOrder(orderId: $orderId) {
      order { id status }
      userErrors { code message }
    }
  }
`);
const RequestReturn = graphql(`
  mutation RequestReturn($orderId: ID!) {
    requestReturn(orderId: $orderId) {
      order { id status }
      userErrors { code message }
    }
  }
`);

export function OrdersPage() {
  const { signedIn } = useSession();
  const client = useApolloClient();
  const { data, error, refetch } = useQuery(MyOrders, { skip: !signedIn });
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  if (!signedIn) return <SignInFirst what="your orders" />;

  const act = async (kind: 'cancel' | 'return', orderId: string) => {
    try {
      const p =
        kind === 'cancel'
          ? (await client.mutate({ mutation: CancelOrder, variables: { orderId } })).data?.cancelOrder
          : (await client.mutate({ mutation: RequestReturn, variables: { orderId } })).data?.requestReturn;
      const err = p?.userErrors[0];
      setMessage(err ? { text: refusalMessage(err), error: true } : { text: kind === 'cancel' ? 'Order canceled.' : 'Return requested.', error: false });
      await refetch();
    } catch (e) {
      setMessage({ text: failureOf(e).message, error: true });
    }
  };
  const orders = data?.me.ordersConnection.edges.map((e) => e.node) ?? [];
  return (
    <section>
      <h1>My orders</h1>
      {error && <p role="alert" className="error">{failureOf(error).message}</p>}
      <Status message={message?.text ?? null} error={message?.error} />
      {data && orders.length === 0 && <p>No orders yet.</p>}
      <ul className="orders">
        {orders.map((o) => {
          const returnable = o.status === 'DELIVERED' && o.deliveredAt !== null && Date.now() - Date.parse(o.deliveredAt) < RETURN_WINDOW_MS;
          const names = o.items.map((i) => `${i.quantity} × ${i.product.name}`).join(', ');
          return (
            <li key={o.id} className="panel" aria-label={`Order of ${names}`}>
              <div className="row">
                <strong>{names}</strong>
                <span className="status">{STATUS_WORDS[o.status] ?? o.status}</span>
              </div>
              <div className="row">
                <span>{money(o.total, o.currency)}</span>
                <time dateTime={o.createdAt}>{new Date(o.createdAt).toLocaleString()}</time>
              </div>
              {o.status === 'PREPARING' && (
                <button type="button" className="secondary" onClick={() => void act('cancel', o.id)}>Cancel</button>
              )}
              {returnable && (
                <button type="button" className="secondary" onClick={() => void act('return', o.id)}>Return</button>
              )}
              {o.status === 'PENDING_PAYMENT' && <PaymentForm order={o} onPaid={() => void refetch()} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
