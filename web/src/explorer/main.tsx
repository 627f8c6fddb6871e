/**
 * The offline explorer: GraphiQL built into web/dist-explorer from the project's own files (no
 * CDN), served by the gateway at /graphiql in development. It queries the gateway it was served
 * from; the headers tab holds the bearer token (paste an access token after "Bearer ").
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';

const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.href).toString() });

const DEFAULT_QUERY = `# The flash-sale supergraph. Put your access token in Headers below:
#   { "Authorization": "Bearer <accessToken from logIn>" }
query Catalog {
  products(first: 5) {
    edges { node { id name price available saleState secondsUntilOpen } }
  }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} defaultHeaders={'{\n  "Authorization": ""\n}'} defaultEditorToolsVisibility="headers" />
  </StrictMode>,
);
