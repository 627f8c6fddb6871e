/**
 * The offline explorer at /graphiql (development only): GraphiQL built from the project's own
 * files into web/dist-explorer (`npm run build:web`), so it works without internet, unlike Apollo
 * Sandbox (which stays at /graphql for those online). It queries this gateway's /graphql.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type http from 'node:http';
import { staticFiles } from './static-files';

export const EXPLORER_PATH = '/graphiql';
export const EXPLORER_DIR = resolve(__dirname, '../../web/dist-explorer');

/** Serves /graphiql and its assets; false for any other path. */
export function explorerHandler(dir = EXPLORER_DIR): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const serve = staticFiles(dir, { index: 'explorer.html', spaFallback: false, mount: EXPLORER_PATH });
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== EXPLORER_PATH && !path.startsWith(`${EXPLORER_PATH}/`)) return false;
    if (!existsSync(dir)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('The explorer is not built: run `npm run build:web`.');
      return true;
    }
    return serve(req, res);
  };
}
