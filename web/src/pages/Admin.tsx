/**
 * ADMIN pages: create a category and a product, schedule a sale (optionally behind a waiting
 * room), and watch a running sale live (available and unsold stock from the product subgraph, the
 * line of a waiting-room sale, orders so far from the order subgraph's productSalesStats, in one
 * federated query polled every second). The gateway checks the ADMIN role on every mutation;
 * hiding the page from others is only for their convenience.
 */
import { useId, useState, type FormEvent } from 'react';
import type { ApolloClient, OperationVariables, TypedDocumentNode } from '@apollo/client';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { useSession } from '../session-context';
import { count, failureOf } from '../format';
import { Field, Status } from '../widgets';

const AdminCatalog = graphql(`
  query AdminCatalog {
    categories { id name }
    products(first: 100) { edges { node { id name } } }
  }
`);
const CreateCategory = graphql(`
  mutation CreateCategory($input: CreateCategoryInput!) {
    createCategory(input: $input) { category { id name } userErrors { code message } }
  }
`);
const CreateProduct = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) { product { id name } userErrors { code message } }
  }
`);
const ScheduleSale = graphql(`
  mutation ScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int, $waitingRoom: Boolean) {
    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) {
      product { id name saleOpensAt }
      userErrors { code message }
    }
  }
`);
const LiveSale = graphql(`
  query LiveSale($id: ID!) {
    product(id: $id) {
      id name available stock saleState secondsUntilOpen secondsUntilClose
      waitingRoomEnabled
      waitingRoom { state waiting nowServing issued used noShows holding pace admitPerSecond }
    }
    productSalesStats(productId: $id) { ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid }
  }
`);

type Note = { text: string; error: boolean } | null;
/** datetime-local (the browser's zone) → ISO; '' → null. */
const iso = (local: string) => (local ? new Date(local).toISOString() : null);

function useForm<T extends Record<string, string>>(initial: T) {
  const [form, setForm] = useState(initial);
  const bind = (k: keyof T) => ({ value: form[k], onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }) });
  return { form, bind, reset: () => setForm(initial) };
}

function ProductSelect({ label, products, ...rest }: { label: string; products: Array<{ id: string; name: string }>; value: string; onChange: (e: { target: { value: string } }) => void }) {
  return (
    <Field label={label}>
      <select required {...rest}>
        <option value="">Choose…</option>
        {products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </select>
    </Field>
  );
}

function LiveView({ id }: { id: string }) {
  const { data } = useQuery(LiveSale, { variables: { id }, pollInterval: 1000 });
  const p = data?.product;
  const stats = data?.productSalesStats;
  if (!p || !stats) return null;
  return (
    <>
      <dl className="live" aria-label={`Live sale of ${p.name}`}>
        <dt>State</dt><dd>{p.saleState}</dd>
        <dt>Available</dt><dd>{p.available}</dd>
        <dt>Unsold stock</dt><dd>{p.stock}</dd>
        <dt>Orders so far</dt><dd>{stats.ordersPlaced}</dd>
        <dt>Paid orders</dt><dd>{stats.ordersPaid} ({stats.unitsPaid} units)</dd>
        <dt>Awaiting payment</dt><dd>{stats.ordersAwaitingPayment}</dd>
      </dl>
      {p.waitingRoom && (
        <>
          <h3>Waiting room</h3>
          <LineView name={p.name} line={p.waitingRoom} />
        </>
      )}
    </>
  );
}

/** A waiting-room sale's line: who waits, who was served, who bought, who did not come, how fast. */
function LineView({ name, line }: { name: string; line: NonNullable<NonNullable<ResultOf<typeof LiveSale>['product']>['waitingRoom']> }) {
  return (
    <dl className="live" aria-label={`Line of ${name}`}>
      <dt>Line</dt><dd>{LINE_WORDS[line.state] ?? line.state}</dd>
      <dt>Waiting</dt><dd>{count(line.waiting)}</dd>
      <dt>Served (now serving)</dt><dd>{count(line.nowServing)}</dd>
      <dt>Numbers given</dt><dd>{count(line.issued)}</dd>
      <dt>Tickets used</dt><dd>{count(line.used)}</dd>
      <dt>No-shows</dt><dd>{count(line.noShows)}</dd>
      <dt>Served, may still buy</dt><dd>{count(line.holding)}</dd>
      <dt>Pace</dt><dd>{line.pace} orders/s (admitting {count(line.admitPerSecond)}/s)</dd>
    </dl>
  );
}

const LINE_WORDS: Record<string, string> = { NOT_OPEN: 'Not open yet', OPEN: 'Open', SOLD_OUT: 'Sold out', CLOSED: 'Closed' };

export function AdminPage() {
  const { admin } = useSession();
  const client = useApolloClient();
  const catalog = useQuery(AdminCatalog, { skip: !admin });
  const [note, setNote] = useState<Note>(null);
  const category = useForm({ name: '' });
  const product = useForm({ name: '', description: '', price: '', categoryId: '', stock: '0' });
  const sale = useForm({ productId: '', opensAt: '', closesAt: '', stock: '', maxPerCustomer: '' });
  const [watched, setWatched] = useState('');
  const [waitingRoom, setWaitingRoom] = useState(false);
  const waitingRoomId = useId();
  if (!admin) return <p>Only administrators can see this page.</p>;

  /** A form's submit handler: runs one mutation (its single root field holds userErrors), then says how it went. */
  const submit = <D extends Record<string, unknown>, V extends OperationVariables>(mutation: TypedDocumentNode<D, V>, variables: () => V, done: string, reset: () => void) => async (e: FormEvent) => {
    e.preventDefault();
    try {
      const { data } = await client.mutate<D, V>({ mutation, variables: variables() } as ApolloClient.MutateOptions<D, V>);
      const err = data && (Object.values(data)[0] as { userErrors: Array<{ message: string }> }).userErrors[0];
      setNote(err ? { text: err.message, error: true } : { text: done, error: false });
      if (!err) {
        reset();
        await catalog.refetch();
      }
    } catch (x) {
      setNote({ text: failureOf(x).message, error: true });
    }
  };
  const categories = catalog.data?.categories ?? [];
  const products = catalog.data?.products.edges.map((e) => e.node) ?? [];
  const f = sale.form;
  return (
    <section>
      <h1>Admin</h1>
      <Status message={note?.text ?? null} error={note?.error} />
      <div className="columns">
        <form className="panel" aria-label="Create category" onSubmit={submit(CreateCategory, () => ({ input: { name: category.form.name } }), 'Category created.', category.reset)}>
          <h2>Create category</h2>
          <Field label="Category name"><input required {...category.bind('name')} /></Field>
          <button type="submit">Create category</button>
        </form>
        <form
          className="panel"
          aria-label="Create product"
          onSubmit={submit(
            CreateProduct,
            () => ({ input: { name: product.form.name, description: product.form.description, price: Math.round(Number(product.form.price) * 100), categoryId: product.form.categoryId, stock: Number(product.form.stock) } }),
            'Product created.',
            product.reset,
          )}
        >
          <h2>Create product</h2>
          <Field label="Product name"><input required {...product.bind('name')} /></Field>
          <Field label="Description"><input {...product.bind('description')} /></Field>
          <Field label="Price (USD)"><input type="number" min="0" step="0.01" required {...product.bind('price')} /></Field>
          <Field label="Category">
            <select required {...product.bind('categoryId')}>
              <option value="">Choose…</option>
              {categories.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </Field>
          <Field label="Initial stock"><input type="number" min="0" {...product.bind('stock')} /></Field>
          <button type="submit">Create product</button>
        </form>
        <form
          className="panel"
          aria-label="Schedule sale"
          onSubmit={submit(
            ScheduleSale,
            () => ({ productId: f.productId, opensAt: iso(f.opensAt)!, closesAt: iso(f.closesAt), stock: Number(f.stock), maxPerCustomer: f.maxPerCustomer ? Number(f.maxPerCustomer) : null, waitingRoom }),
            'Sale scheduled.',
            () => (sale.reset(), setWaitingRoom(false)),
          )}
        >
          <h2>Schedule sale</h2>
          <ProductSelect label="Product" products={products} {...sale.bind('productId')} />
          <Field label="Opens at"><input type="datetime-local" step="1" required {...sale.bind('opensAt')} /></Field>
          <Field label="Closes at"><input type="datetime-local" step="1" {...sale.bind('closesAt')} /></Field>
          <Field label="Stock"><input type="number" min="0" required {...sale.bind('stock')} /></Field>
          <Field label="Limit per customer"><input type="number" min="1" {...sale.bind('maxPerCustomer')} /></Field>
          <div className="checkbox">
            <input type="checkbox" id={waitingRoomId} checked={waitingRoom} onChange={(e) => setWaitingRoom(e.target.checked)} aria-describedby={`${waitingRoomId}-hint`} />
            <label htmlFor={waitingRoomId}>Waiting room</label>
          </div>
          <p className="crumb" id={`${waitingRoomId}-hint`}>Buyers take a number and order when it is served (first come, first served at any crowd size).</p>
          <button type="submit">Schedule sale</button>
        </form>
      </div>
      <section className="panel" aria-label="Live sale">
        <h2>Live sale</h2>
        <ProductSelect label="Watch product" products={products} value={watched} onChange={(e) => setWatched(e.target.value)} />
        {watched && <LiveView id={watched} />}
      </section>
    </section>
  );
}
