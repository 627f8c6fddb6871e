/**
 * A product: price, live `available` (polled), a countdown to the opening by the server's clock
 * (serverTime corrects this browser's skew), Buy now (enabled by the countdown itself at the
 * opening, no reload), the payment form after a successful Buy now, and Add to cart.
 * A sale behind a waiting room shows the line instead (waiting-room/): Buy now is enabled when the
 * buyer's number is served and sends the ticket; the line's documents carry `available` then, so
 * the page stops polling GraphQL (the crowd reads the edge's cacheable status instead).
 * Performance marks `product-open` → `buy-interactive` time the page until Buy now can be pressed.
 */
import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { duration, failureOf, money } from '../format';
import { PaymentForm, usePlaceOrder, useRemaining, type PlacedOrder } from './Checkout';
import { Status } from '../widgets';
import { useSession } from '../session-context';
import { useWaitingRoom } from '../waiting-room/useWaitingRoom';
import { WaitingRoomPanel } from '../waiting-room/WaitingRoomPanel';

const POLL_MS = 2000;

const ProductQuery = graphql(`
  query Product($id: ID!) {
    product(id: $id) {
      id name description price currency available saleState saleOpensAt saleClosesAt maxPerCustomer serverTime
      category { id name }
      waitingRoomEnabled
      waitingRoom { state nowServing waiting admitPerSecond }
    }
  }
`);
const AddToCart = graphql(`
  mutation AddToCart($productId: ID!) {
    addToCart(productId: $productId, quantity: 1) {
      cart { totalQuantity }
      userErrors { code message }
    }
  }
`);

export function ProductPage({ id }: { id: string }) {
  useEffect(() => {
    performance.clearMarks('buy-interactive');
    performance.mark('product-open');
  }, [id]);
  const [lineFront, setLineFront] = useState(false);
  const { data, error } = useQuery(ProductQuery, { variables: { id }, pollInterval: lineFront ? 0 : POLL_MS });
  const product = data?.product;
  const waitingRoom = product?.waitingRoomEnabled ?? false;
  useEffect(() => setLineFront(waitingRoom), [waitingRoom]);
  const line = useWaitingRoom(id, product?.waitingRoom ?? null, waitingRoom);
  const { signedIn } = useSession();
  // Server clock minus this browser's clock, measured when the answer arrived.
  const offset = useMemo(() => (product ? Date.parse(product.serverTime) - Date.now() : 0), [product]);
  const untilOpen = useRemaining(product?.saleOpensAt ?? null, offset);
  const open = product != null && product.saleState !== 'CLOSED' && (untilOpen === null || untilOpen <= 0) && product.saleOpensAt !== null;
  const { place, busy, message } = usePlaceOrder();
  const [order, setOrder] = useState<PlacedOrder | null>(null);
  const [addToCart] = useMutation(AddToCart);
  const [cartNote, setCartNote] = useState<{ text: string; error: boolean } | null>(null);

  useEffect(() => {
    if (open && performance.getEntriesByName('buy-interactive').length === 0) {
      performance.mark('buy-interactive');
      performance.measure('product-to-buy', 'product-open', 'buy-interactive');
    }
  }, [open]);

  if (error && !product) return <p role="alert" className="error">Could not load this product: {error.message}</p>;
  if (!product) return <p role="status">Loading…</p>;

  const ticket = line.phase.kind === 'served' ? line.phase.ticket : null;
  const canBuy = waitingRoom ? ticket !== null : open;
  const buy = async () => {
    const placed = await place([{ productId: product.id, quantity: 1 }], ticket ?? undefined);
    setOrder(placed);
    if (waitingRoom) {
      if (placed) line.ordered(placed.id);
      else line.recheck(); // refused (not your turn, expired, used): the line says where the buyer stands
    }
  };
  const available = (waitingRoom ? line.figures?.available : undefined) ?? product.available;
  const add = async () => {
    try {
      const { data: d } = await addToCart({ variables: { productId: product.id } });
      const err = d?.addToCart.userErrors[0];
      setCartNote(err ? { text: err.message, error: true } : { text: `Added. ${d?.addToCart.cart.totalQuantity} in your cart.`, error: false });
    } catch (e) {
      setCartNote({ text: failureOf(e).message, error: true });
    }
  };
  return (
    <article className="product">
      <p className="crumb">{product.category.name}</p>
      <h1>{product.name}</h1>
      <p>{product.description}</p>
      <p className="price big">{money(product.price, product.currency)}</p>
      <p aria-live="polite">
        <strong data-testid="available">{available}</strong> available
        {product.maxPerCustomer != null && <> · limit {product.maxPerCustomer} per customer</>}
      </p>
      {untilOpen !== null && untilOpen > 0 && (
        <p className="countdown" role="timer" aria-label="Sale opens in">
          Sale opens in <strong>{duration(untilOpen)}</strong>
        </p>
      )}
      {product.saleState === 'CLOSED' && !waitingRoom && <p className="note">This sale has closed.</p>}
      {waitingRoom && <WaitingRoomPanel line={line} signedIn={signedIn} />}
      <div className="actions">
        <button type="button" disabled={!canBuy || busy} onClick={() => void buy()}>
          Buy now
        </button>
        <button type="button" className="secondary" onClick={() => void add()}>
          Add to cart
        </button>
      </div>
      <Status message={message} error />
      <Status message={cartNote?.text ?? null} error={cartNote?.error} />
      {order && <PaymentForm key={order.id} order={order} />}
    </article>
  );
}
