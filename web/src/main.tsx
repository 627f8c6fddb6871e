/** Storefront entry: read the runtime config, open the session, render the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client/react';
import { loadConfig } from './config';
import { Session } from './session';
import { makeClient } from './client';
import { App } from './App';
import { SessionContext } from './session-context';
import './styles.css';

declare global {
  interface Window {
    /** For the browser tests: how many silent refreshes this tab performed. */
    __session?: Session;
  }
}

void loadConfig().then(({ gatewayUrl }) => {
  const session = new Session(gatewayUrl);
  window.__session = session;
  const client = makeClient(gatewayUrl, session);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <ApolloProvider client={client}>
        <SessionContext.Provider value={session}>
          <App />
        </SessionContext.Provider>
      </ApolloProvider>
    </StrictMode>,
  );
});
