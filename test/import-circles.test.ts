/**
 * No import circles in the project's own code. A circle makes the load order decide what is
 * undefined at import time, and it usually means a type or a helper lives in the wrong file.
 * Type-only imports are ignored (they vanish at runtime; .madgerc says the same for the CLI:
 * `npx madge --circular subgraphs gateway`).
 */
import { resolve } from 'node:path';

// madge ships no type declarations; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const madge = require('madge') as (paths: string[], config: Record<string, unknown>) => Promise<{ circular(): string[][]; obj(): Record<string, string[]> }>;

const root = resolve(__dirname, '..');

it('the gateway, the subgraphs, the scripts, the bench and the tests import no module that imports them back', async () => {
  const graph = await madge(['gateway/src', 'subgraphs', 'scripts', 'bench', 'chaos', 'test', 'k6'].map((p) => resolve(root, p)), {
    baseDir: root,
    fileExtensions: ['ts'],
    tsConfig: resolve(root, 'tsconfig.json'),
    excludeRegExp: [/node_modules/, /\/dist\//],
    detectiveOptions: { ts: { skipTypeImports: true } },
  });
  expect(Object.keys(graph.obj()).length).toBeGreaterThan(100); // the graph really was read
  expect(graph.circular()).toEqual([]);
}, 60_000);
