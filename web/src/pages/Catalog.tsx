/** The catalog: categories, and their products a page at a time (cursor paging). */
import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { Link } from '../router';
import { money } from '../format';

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
  return (
    <section>
      <h1>Catalog</h1>
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
