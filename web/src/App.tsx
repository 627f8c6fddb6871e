/** The shell: header navigation (names fixed by API.md's storefront section) and the page routes. */
import { useApolloClient } from '@apollo/client/react';
import { useSession } from './session-context';
import { Link, navigate, useLocation } from './router';
import { SignUpPage, SignInPage } from './pages/Account';
import { CatalogPage } from './pages/Catalog';
import { ProductPage } from './pages/Product';
import { OrdersPage } from './pages/Orders';
import { CartPage } from './pages/Cart';
import { AdminPage } from './pages/Admin';

function Header() {
  const { session, signedIn, admin } = useSession();
  const client = useApolloClient();
  const signOut = async () => {
    await session.signOut();
    await client.clearStore();
    navigate('/');
  };
  return (
    <header className="top">
      <Link to="/" className="brand">Flash Sale</Link>
      <nav aria-label="Main">
        <Link to="/">Catalog</Link>
        <Link to="/orders">My orders</Link>
        <Link to="/cart">Cart</Link>
        {admin && <Link to="/admin">Admin</Link>}
        {signedIn ? (
          <button type="button" onClick={() => void signOut()}>Sign out</button>
        ) : (
          <>
            <Link to="/signin">Sign in</Link>
            <Link to="/signup">Sign up</Link>
          </>
        )}
      </nav>
    </header>
  );
}

function Page({ url }: { url: URL }) {
  const path = url.pathname;
  const product = /^\/products\/([^/]+)$/.exec(path);
  if (product) return <ProductPage id={decodeURIComponent(product[1])} />;
  switch (path) {
    case '/':
      return <CatalogPage categoryId={url.searchParams.get('category')} />;
    case '/signup':
      return <SignUpPage />;
    case '/signin':
      return <SignInPage />;
    case '/orders':
      return <OrdersPage />;
    case '/cart':
      return <CartPage />;
    case '/admin':
      return <AdminPage />;
    default:
      return <h1>Page not found</h1>;
  }
}

export function App() {
  const url = useLocation();
  return (
    <>
      <Header />
      <main>
        <Page url={url} />
      </main>
    </>
  );
}
