import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeSupergraph, SCHEMA_DIR } from '../scripts/compose';

describe('committed schema files', () => {
  it('are exactly what `npm run compose` would write (run it and commit schema/ when this fails)', async () => {
    const files = await composeSupergraph();
    expect(Object.keys(files).sort()).toEqual(['api.graphql', 'cart.graphql', 'order.graphql', 'product.graphql', 'supergraph.graphql', 'user.graphql']);
    for (const [name, text] of Object.entries(files)) {
      expect({ name, text: readFileSync(resolve(SCHEMA_DIR, name), 'utf8') }).toEqual({ name, text });
    }
  });
});
