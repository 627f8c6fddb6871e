/** The catalog: categories, and their products a page at a time (cursor paging). */
import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { Link } from '../router';
import { duration, money } from '../format';
import { useRemaining } from './Checkout';

const PAGE_SIZE = 12;

const Categories = graphql(`
  query Categories {
    categories { id name }
  }
`);
const Products = graphql(`
  query Products($after: String, $first: Int, $categoryId: ID) {
    products(after: $after, first: $first, categoryId: $categoryId) {
      edges {
        cursor
        node { id name price currency available saleState saleOpensAt }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

// The newest 100 products are scanned for sales about to open (the API has no "upcoming" filter);
// enough for the demo catalog and a shop's front page.
const Upcoming = graphql(`
  query UpcomingSales {
    products(first: 100) {
      edges { node { id name price currency saleState saleOpensAt serverTime } }
    }
  }
`);

function UpcomingSale({ product }: { product: { id: string; name: string; price: number; currency: string; saleOpensAt?: string | null; serverTime: string } }) {
  const [offset] = useState(() => Date.parse(product.serverTime) - Date.now());
  const left = useRemaining(product.saleOpensAt ?? null, offset);
  return (
    <li className="panel upcoming">
      <Link to={`/products/${product.id}`}>
        <strong>{product.name}</strong>
      </Link>
      <span className="price">{money(product.price, product.currency)}</span>
      <span className="countdown" role="timer" aria-label={`${product.name} opens in`}>
        {left !== null && left > 0 ? `Opens in ${duration(left)}` : 'Open now'}
      </span>
    </li>
  );
}

const STATE_WORDS: Record<string, string> = { UPCOMING: 'Opens soon', OPEN: 'On sale', CLOSED: 'Sale closed', SOLD_OUT: 'Sold out' };

export function CatalogPage({ categoryId }: { categoryId: string | null }) {
  // Cursors of the pages before this one, so "Previous page" can go back.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [forCategory, setForCategory] = useState(categoryId);
  if (forCategory !== categoryId) {
    setForCategory(categoryId);
    setCursors([null]);
  }
  const after = cursors[cursors.length - 1];
  const categories = useQuery(Categories);
  const { data, loading, error } = useQuery(Products, { variables: { after, first: PAGE_SIZE, categoryId } });
  const page = data?.products;
  const upcoming = useQuery(Upcoming, { skip: categoryId !== null });
  const soon = (upcoming.data?.products.edges ?? [])
    .map((e) => e.node)
    .filter((p) => p.saleState === 'UPCOMING' && p.saleOpensAt)
    .sort((a, b) => Date.parse(a.saleOpensAt!) - Date.parse(b.saleOpensAt!))
    .slice(0, 3);
  return (
    <section>
      <h1>Catalog</h1>
      {soon.length > 0 && (
        <section aria-labelledby="upcoming-title" className="flash">
          <h2 id="upcoming-title">Flash sales opening soon</h2>
          <ul className="grid">
            {soon.map((p) => <UpcomingSale key={p.id} product={p} />)}
          </ul>
        </section>
      )}
      <nav aria-label="Categories" className="chips">
        <Link to="/" aria-current={categoryId === null ? 'page' : undefined}>All</Link>
        {categories.data?.categories.map((c) => (
          <Link key={c.id} to={`/?category=${encodeURIComponent(c.id)}`} aria-current={categoryId === c.id ? 'page' : undefined}>
            {c.name}
          </Link>
        ))}
      </nav>
      {error && <p role="alert" className="error">Could not load the catalog: {error.message}</p>}
      {loading && !page && <p role="status">Loading…</p>}
      <ul className="grid">
        {page?.edges.map(({ node }) => (
          <li key={node.id} className="card">
            <Link to={`/products/${node.id}`}>
              <strong>{node.name}</strong>
            </Link>
            <span className="price">{money(node.price, node.currency)}</span>
            <span className={`badge ${node.saleState.toLowerCase()}`}>{STATE_WORDS[node.saleState]}</span>
          </li>
        ))}
      </ul>
      {page && page.edges.length === 0 && <p>No products here yet.</p>}
      <div className="pager">
        <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" className="secondary" disabled={!page?.pageInfo.hasNextPage} onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}>
          Next page
        </button>
      </div>
    </section>
  );
}
