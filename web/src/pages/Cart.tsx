/** The cart: change quantities, remove lines, and order the whole cart (then pay). */
import { useState } from 'react';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { useSession } from '../session-context';
import { failureOf, money } from '../format';
import { SignInFirst, Status } from '../widgets';
import { PaymentForm, usePlaceOrder, type PlacedOrder } from './Checkout';

const CartQuery = graphql(`
  query Cart {
    me {
      id
      cart {
        items { quantity unitPrice currency lineTotal product { id name } }
        totalQuantity
        subtotal { amount currency }
      }
    }
  }
`);
const ChangeQuantity = graphql(`
  mutation ChangeCartQuantity($productId: ID!, $delta: Int!) {
    changeCartQuantity(productId: $productId, delta: $delta) { cart { totalQuantity } userErrors { code message } }
  }
`);
const Remove = graphql(`
  mutation RemoveFromCart($productId: ID!) {
    removeFromCart(productId: $productId) { cart { totalQuantity } userErrors { code message } }
  }
`);
const Clear = graphql(`
  mutation ClearCart {
    clearCart { cart { totalQuantity } userErrors { code message } }
  }
`);

export function CartPage() {
  const { signedIn } = useSession();
  const client = useApolloClient();
  const { data, error, refetch } = useQuery(CartQuery, { skip: !signedIn });
  const [note, setNote] = useState<string | null>(null);
  const { place, busy, message } = usePlaceOrder();
  const [order, setOrder] = useState<PlacedOrder | null>(null);
  if (!signedIn) return <SignInFirst what="your cart" />;

  const run = async (mutate: () => Promise<{ userErrors: Array<{ message: string }> } | undefined>) => {
    try {
      setNote((await mutate())?.userErrors[0]?.message ?? null);
      await refetch();
    } catch (e) {
      setNote(failureOf(e).message);
    }
  };
  const change = (productId: string, delta: number) =>
    run(async () => (await client.mutate({ mutation: ChangeQuantity, variables: { productId, delta } })).data?.changeCartQuantity);
  const remove = (productId: string) => run(async () => (await client.mutate({ mutation: Remove, variables: { productId } })).data?.removeFromCart);
  const cart = data?.me.cart;
  const orderCart = async () => {
    if (!cart) return;
    const placed = await place(cart.items.map((i) => ({ productId: i.product.id, quantity: i.quantity })));
    if (!placed) return;
    setOrder(placed);
    await run(async () => (await client.mutate({ mutation: Clear })).data?.clearCart);
  };
  return (
    <section>
      <h1>Cart</h1>
      {error && <p role="alert" className="error">{failureOf(error).message}</p>}
      {cart && cart.items.length === 0 && !order && <p>Your cart is empty.</p>}
      {cart && cart.items.length > 0 && (
        <table className="cart">
          <caption className="sr-only">Items in your cart</caption>
          <thead>
            <tr><th scope="col">Product</th><th scope="col">Quantity</th><th scope="col">Price</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {cart.items.map((i) => (
              <tr key={i.product.id}>
                <td>{i.product.name}</td>
                <td>
                  <button type="button" className="icon" aria-label={`Decrease quantity of ${i.product.name}`} onClick={() => void change(i.product.id, -1)}>−</button>
                  <span className="qty">{i.quantity}</span>
                  <button type="button" className="icon" aria-label={`Increase quantity of ${i.product.name}`} onClick={() => void change(i.product.id, 1)}>+</button>
                </td>
                <td>{i.lineTotal != null && i.currency ? money(i.lineTotal, i.currency) : '—'}</td>
                <td><button type="button" className="secondary" aria-label={`Remove ${i.product.name}`} onClick={() => void remove(i.product.id)}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cart?.subtotal && <p className="price">Subtotal {money(cart.subtotal.amount, cart.subtotal.currency)}</p>}
      {cart && cart.items.length > 0 && (
        <button type="button" disabled={busy} onClick={() => void orderCart()}>Order the cart</button>
      )}
      <Status message={note ?? message} error />
      {order && <PaymentForm key={order.id} order={order} />}
    </section>
  );
}
