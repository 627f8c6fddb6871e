/**
 * The subset renderer that test/deploy/kubernetes.test.ts relies on: its merge rules, targets,
 * generators and refusals, on small kustomizations written to a temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Resource, renderKustomization, strategicMerge } from './kustomize-subset';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let root = '';
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'kustomize-subset-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}
const find = (objects: Resource[], kind: string, prefix: string) => objects.find((o) => o.kind === kind && o.metadata.name.startsWith(prefix)) as Resource & Json;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { tier: front }
spec:
  template:
    spec:
      containers:
        - name: server
          image: shop:1.0
          envFrom: [{ configMapRef: { name: settings } }]
          env: [{ name: A, value: "1" }, { name: B, value: "2" }]
        - name: sidecar
          image: proxy:2.0
`;

describe('strategicMerge', () => {
  it('merges maps key by key, deletes a key set to null, and merges named lists item by item', () => {
    const base = { a: 1, b: { c: 2, d: 3 }, list: [{ name: 'x', v: 1 }, { name: 'y', v: 2 }] };
    const patch = { b: { d: null, e: 4 }, list: [{ name: 'y', v: 20 }, { name: 'z', v: 3 }] };
    expect(strategicMerge(base, patch)).toEqual({ a: 1, b: { c: 2, e: 4 }, list: [{ name: 'x', v: 1 }, { name: 'y', v: 20 }, { name: 'z', v: 3 }] });
    expect(base.b).toEqual({ c: 2, d: 3 }); // the input is left alone
  });

  it('replaces lists whose items have no name, and refuses $patch directives', () => {
    expect(strategicMerge({ args: ['a', 'b'] }, { args: ['c'] })).toEqual({ args: ['c'] });
    expect(() => strategicMerge({ a: {} }, { a: { $patch: 'delete' } })).toThrow(/\$patch/);
  });
});

describe('renderKustomization', () => {
  it('patches by kind and name, or every object a target selects, then sets namespace, images and replicas', () => {
    write({
      'base/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'base/deployment.yaml': DEPLOYMENT + '---\n' + DEPLOYMENT.replace('name: web', 'name: api').replace('tier: front', 'tier: back'),
      'overlay/kustomization.yaml': `namespace: shop
resources: [../base]
images: [{ name: shop, newName: registry.example/shop, newTag: "2.0" }]
replicas: [{ name: api, count: 3 }]
patches:
  - path: by-name.yaml
  - target: { kind: Deployment, labelSelector: tier=front }
    patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: ignored }
      spec: { template: { spec: { containers: [{ name: server, env: [{ name: B, value: "front" }] }] } } }
`,
      'overlay/by-name.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec: { paused: true }\n',
    });
    const objects = renderKustomization(join(root, 'overlay'));
    const web = find(objects, 'Deployment', 'web');
    const api = find(objects, 'Deployment', 'api');
    expect(web.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: 'front' }]);
    expect(api.spec.template.spec.containers[0].env[1]).toEqual({ name: 'B', value: '2' });
    expect([web.spec.paused, api.spec.paused, api.spec.replicas, web.spec.replicas]).toEqual([undefined, true, 3, undefined]);
    expect(web.spec.template.spec.containers.map((c: Json) => c.image)).toEqual(['registry.example/shop:2.0', 'proxy:2.0']);
    expect(objects.map((o) => o.metadata.namespace)).toEqual(['shop', 'shop']);
  });

  it('hash-suffixes generated names, rewrites pod references, and merges an overlay generator into its base', () => {
    write({
      'base/kustomization.yaml': 'resources: [deployment.yaml]\nconfigMapGenerator: [{ name: settings, literals: [MODE=dev, "PREFIX=fs:"] }]\n',
      'base/deployment.yaml': DEPLOYMENT,
      'overlay/kustomization.yaml': 'resources: [../base]\nconfigMapGenerator: [{ name: settings, behavior: merge, literals: [MODE=prod] }]\nsecretGenerator: [{ name: keys, envs: [keys.env] }]\n',
      'overlay/keys.env': '# comment\nTOKEN=a=b\n',
    });
    const base = renderKustomization(join(root, 'base'));
    const overlay = renderKustomization(join(root, 'overlay'));
    const [baseSettings, settings, keys] = [find(base, 'ConfigMap', 'settings-'), find(overlay, 'ConfigMap', 'settings-'), find(overlay, 'Secret', 'keys-')];
    expect(baseSettings.data).toEqual({ MODE: 'dev', PREFIX: 'fs:' });
    expect(settings.data).toEqual({ MODE: 'prod', PREFIX: 'fs:' });
    expect(settings.metadata.name).toMatch(/^settings-[0-9a-f]{10}$/);
    expect(settings.metadata.name).not.toBe(baseSettings.metadata.name); // new contents, new name: pods roll
    expect(find(overlay, 'Deployment', 'web').spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: settings.metadata.name } }]);
    expect(keys).toMatchObject({ type: 'Opaque', data: { TOKEN: Buffer.from('a=b').toString('base64') } });
  });

  it('refuses what it does not support or cannot apply, naming it', () => {
    write({
      'unknown/kustomization.yaml': 'resources: []\ncommonLabels: { a: b }\n',
      'missing/kustomization.yaml': 'resources: [d.yaml]\npatches: [{ path: p.yaml }]\n',
      'missing/d.yaml': DEPLOYMENT,
      'missing/p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: nope }\nspec: { paused: true }\n',
      'selector/kustomization.yaml': 'resources: [d.yaml]\npatches: [{ target: { labelSelector: "tier in (front)" }, patch: "kind: Deployment\\nmetadata: { name: x }\\n" }]\n',
      'selector/d.yaml': DEPLOYMENT,
      'twice/kustomization.yaml': 'resources: [d.yaml, d.yaml]\n',
      'twice/d.yaml': DEPLOYMENT,
      'literal/kustomization.yaml': 'configMapGenerator: [{ name: c, literals: [PREFIX=fs:] }]\n',
    });
    expect(() => renderKustomization(join(root, 'unknown'))).toThrow(/commonLabels is outside the Kustomize subset/);
    expect(() => renderKustomization(join(root, 'missing'))).toThrow(/patch Deployment\/nope matches no object/);
    expect(() => renderKustomization(join(root, 'selector'))).toThrow(/only key=value terms/);
    expect(() => renderKustomization(join(root, 'twice'))).toThrow(/Deployment\/web is defined twice/);
    expect(() => renderKustomization(join(root, 'literal'))).toThrow(/is not a KEY=value string \(quote it\)/);
  });
});
