/**
 * The container image (Dockerfile) and docker-compose.yml, checked without a Docker engine:
 *  - the build context is made as Docker makes it from a clean clone (the files git tracks or would
 *    track, minus .dockerignore);
 *  - the `deps` stage copies every workspace's manifest before `npm ci` (a missing one leaves that
 *    workspace's dependencies out of the image); its `npm ci` is stood in for by this checkout's
 *    node_modules, hard-linked (installed by `npm ci` from the same lockfile);
 *  - the `build` stage's npm steps run as written, in that context, and produce every process's
 *    entry point and the storefront (web/dist with its favicon, manifest and icons);
 *  - the `prune` stage's step runs as written (devDependencies go, the builds stay);
 *  - the runtime image's CMD runs with SERVICE=storefront and serves the storefront, and refuses an
 *    unknown SERVICE;
 *  - docker-compose.yml: references between services, stages and volumes resolve, each app
 *    service's command is a file the build produced, and the storefront service is reachable by
 *    the browser and admitted by the gateway's default CORS origins.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '@flashsale/platform';
import { LISTEN_BACKLOG } from '@flashsale/gateway';
import { listening, reservablePort } from '../../scripts/launcher/ports';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const REPO = join(__dirname, '../..');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  steps: Instruction[];
}

/** Stages of a Dockerfile: continuation lines joined, comments and parser directives dropped. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ name: name ?? String(stages.length), from, steps: [] });
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** Docker's .dockerignore rules (Go filepath.Match with `**`; the last matching rule wins; a rule excluding a directory excludes everything in it). */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((line) => {
    const include = line.startsWith('!');
    const pattern = (include ? line.slice(1) : line).replace(/^\/+/, '');
    const source = pattern.split(/(\*\*\/?|\*|\?)/).map((part) =>
      part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    ).join('');
    return { include, re: new RegExp(`^${source}(?:/.*)?$`) };
  });
  return (path) => {
    let excluded = false;
    for (const rule of rules) if (rule.re.test(path)) excluded = !rule.include;
    return excluded;
  };
}

function contextFiles(): string[] {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  expect(listed.status).toBe(0);
  const ignored = dockerignore(readFileSync(join(REPO, '.dockerignore'), 'utf8'));
  return listed.stdout.split('\0').filter((f) => f && !ignored(f) && existsSync(join(REPO, f)) && statSync(join(REPO, f)).isFile());
}

/** Hard-links a directory tree (files share storage with the checkout; symbolic links are copied as links, so workspace links point into the copy). */
function linkTree(from: string, to: string): void {
  spawnSync('cp', ['-al', from, to], { stdio: 'inherit' });
  expect(existsSync(to)).toBe(true);
}

function sh(command: string, cwd: string): { status: number | null; output: string } {
  const run = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' }, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

const stages = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage ${name}`);
  return found;
};
const runs = (name: string) => stage(name).steps.filter((s) => s.op === 'RUN').map((s) => s.args);
const compose = parseYaml(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as Json;
const workspaces = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

let context = '';
const ran: Record<string, { status: number | null; output: string }> = {};

beforeAll(() => {
  context = mkdtempSync(join(tmpdir(), 'image-context-'));
  for (const file of contextFiles()) {
    mkdirSync(dirname(join(context, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(context, file));
  }
  // The deps stage's `npm ci`, stood in for by this checkout's install of the same lockfile.
  linkTree(join(REPO, 'node_modules'), join(context, 'node_modules'));
  for (const ws of workspaces) if (existsSync(join(REPO, ws, 'node_modules'))) linkTree(join(REPO, ws, 'node_modules'), join(context, ws, 'node_modules'));
  // npm rewrites this file in place: give the copy its own, so the checkout's is never touched.
  unlinkSync(join(context, 'node_modules/.package-lock.json'));
  copyFileSync(join(REPO, 'node_modules/.package-lock.json'), join(context, 'node_modules/.package-lock.json'));
  for (const command of runs('build').filter((c) => c.startsWith('npm '))) ran[command] = sh(command, context);
}, 600_000);
afterAll(() => {
  if (context) rmSync(context, { recursive: true, force: true });
});

describe('Dockerfile', () => {
  it('makes its build context without local state: no node_modules, builds or secrets, but the storefront sources', () => {
    const files = contextFiles();
    expect(files.filter((f) => /(^|\/)(node_modules|dist|\.git)\//.test(f) || /(^|\/)\.env$|secrets\.env$|^\.keys\//.test(f))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['web/index.html', 'web/public/favicon.svg', 'web/public/manifest.webmanifest', 'web/vite.config.mts', 'package-lock.json']));
  });

  it('copies every workspace manifest and the lockfile before npm ci in the deps stage', () => {
    const steps = stage('deps').steps;
    const ci = steps.findIndex((s) => s.op === 'RUN' && /^npm ci\b/.test(s.args));
    expect(ci).toBeGreaterThan(0);
    const copied = steps.slice(0, ci).filter((s) => s.op === 'COPY').flatMap((s) => {
      const parts = s.args.split(/\s+/);
      return parts.slice(0, -1).map((p) => p.replace(/^\.\//, ''));
    });
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', ...workspaces.map((ws) => `${ws}/package.json`)]));
  });

  it('runs the compile and the storefront build in the build stage, and both succeed in the image context', () => {
    expect(Object.keys(ran)).toEqual(['npm run build', 'npm run build:web']);
    for (const [command, result] of Object.entries(ran)) expect({ command, status: result.status, output: result.status === 0 ? '' : result.output }).toEqual({ command, status: 0, output: '' });
  });

  it('produces every process entry point and the storefront with its favicon, manifest and icons', () => {
    for (const entry of ['gateway/dist/main.js', 'gateway/dist/storefront-main.js', 'subgraphs/user/dist/main.js', 'subgraphs/product/dist/main.js', 'subgraphs/cart/dist/main.js', 'subgraphs/order/dist/main.js']) {
      expect({ entry, built: existsSync(join(context, entry)) }).toEqual({ entry, built: true });
    }
    const dist = join(context, 'web/dist');
    expect(readdirSync(dist).sort()).toEqual(expect.arrayContaining(['assets', 'favicon.svg', 'icon-192.png', 'icon-512.png', 'index.html', 'manifest.webmanifest']));
    const index = readFileSync(join(dist, 'index.html'), 'utf8');
    expect(index).toContain('<link rel="icon" href="/favicon.svg"');
    expect(index).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    for (const asset of index.match(/\/assets\/[\w.-]+\.(?:js|css)/g) ?? []) expect(existsSync(join(dist, asset))).toBe(true);
    expect(index).toMatch(/\/assets\/index-[\w-]+\.js/);
  });

  it('builds the storefront for production even when the build runs under another NODE_ENV (here jest\'s "test")', () => {
    expect(process.env.NODE_ENV).toBe('test');
    const dist = join(context, 'web/dist');
    const script = readFileSync(join(dist, 'index.html'), 'utf8').match(/\/assets\/index-[\w-]+\.js/)?.[0] ?? '';
    expect(script).not.toBe('');
    const bundle = readFileSync(join(dist, script), 'utf8');
    // React's production build reports errors by number; its development build carries the texts.
    expect(bundle).toContain('Minified React error');
    expect(bundle).not.toContain('cannot be a child of');
  });

  it('keeps the builds and drops devDependencies in the prune stage', () => {
    expect(runs('prune')).toEqual(['npm prune --omit=dev']);
    const result = sh(runs('prune')[0], context);
    expect(result.status).toBe(0);
    expect(existsSync(join(context, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(context, 'node_modules/jest'))).toBe(false);
    expect(existsSync(join(context, 'node_modules/graphql'))).toBe(true);
    expect(existsSync(join(context, 'web/dist/index.html'))).toBe(true);
    expect(existsSync(join(context, 'gateway/dist/storefront-main.js'))).toBe(true);
  }, 120_000);

  describe('runtime CMD (after the prune stage)', () => {
    const cmd = () => {
      const step = stage('runtime').steps.filter((s) => s.op === 'CMD').at(-1);
      return JSON.parse(step!.args) as string[];
    };

    it('serves the storefront with SERVICE=storefront: pages, favicon, manifest, config.json; stops on SIGTERM', async () => {
      const port = await reservablePort();
      const [shell, ...args] = cmd();
      const child = spawn(shell, args, {
        cwd: context,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', SERVICE: 'storefront', STOREFRONT_HOST: '127.0.0.1', STOREFRONT_PORT: String(port), STOREFRONT_GATEWAY_URL: 'http://api.example.test/graphql' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      try {
        const deadline = Date.now() + 15_000;
        while (!(await listening(port))) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the storefront did not listen on ${port}: ${output}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const base = `http://127.0.0.1:${port}`;
        const get = async (path: string) => {
          const res = await fetch(base + path);
          return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
        };
        const home = await get('/');
        expect(home).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/html/) });
        expect(home.body).toContain('<title>Flash Sale storefront</title>');
        expect(await get('/products/some-product')).toMatchObject({ status: 200, body: home.body }); // SPA fallback
        expect(await get('/favicon.svg')).toMatchObject({ status: 200, type: 'image/svg+xml' });
        expect(await get('/icon-192.png')).toMatchObject({ status: 200, type: 'image/png' });
        const manifest = await get('/manifest.webmanifest');
        expect(manifest.type).toMatch(/^application\/manifest\+json/);
        expect(JSON.parse(manifest.body)).toMatchObject({ start_url: '/', icons: expect.any(Array) });
        expect(JSON.parse((await get('/config.json')).body)).toEqual({ gatewayUrl: 'http://api.example.test/graphql' });
        const script = /\/assets\/index-[\w-]+\.js/.exec(home.body)![0];
        expect(await get(script)).toMatchObject({ status: 200, type: expect.stringMatching(/^text\/javascript/) });
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    });

    it('refuses an unknown SERVICE with exit code 64', () => {
      const [shell, ...args] = cmd();
      const run = spawnSync(shell, args, { cwd: context, env: { PATH: process.env.PATH, SERVICE: 'shop' }, encoding: 'utf8' });
      expect(run.status).toBe(64);
      expect(run.stderr).toMatch(/SERVICE must be gateway, user, product, cart, order or storefront/);
    });
  });
});

describe('docker-compose.yml', () => {
  const services = compose.services as Record<string, Json>;
  const stageNames = stages.map((s) => s.name);

  it('refers only to services, Dockerfile stages and volumes it defines, and publishes each host port once', () => {
    const hostPorts: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect({ name, dep, defined: dep in services }).toEqual({ name, dep, defined: true });
      if (typeof service.build === 'object' && service.build.target) expect(stageNames).toContain(service.build.target);
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
      for (const port of service.ports ?? []) hostPorts.push(String(port).replace(/:\d+$/, ''));
    }
    expect(hostPorts.length).toBe(new Set(hostPorts).size);
  });

  it("runs each app service's command from a file the image build produced", () => {
    const apps = Object.entries(services).filter(([, s]) => s.image === 'flashsale-supergraph:dev');
    expect(apps.map(([name]) => name).sort()).toEqual(['cart', 'gateway', 'order', 'product', 'storefront', 'user']);
    for (const [name, service] of apps) {
      expect(service.command[0]).toBe('node');
      expect({ name, entry: service.command[1], built: existsSync(join(context, service.command[1])) }).toEqual({ name, entry: service.command[1], built: true });
      expect(service.healthcheck?.test).toBeDefined();
    }
  });

  it("gives the gateway's container a kernel accept queue as deep as its listen backlog", () => {
    expect(Number(services.gateway.sysctls?.['net.core.somaxconn'])).toBeGreaterThanOrEqual(LISTEN_BACKLOG);
  });

  it('serves the storefront on a published port the gateway admits by default, pointed at the published gateway', () => {
    const storefront = services.storefront;
    const [hostPort, containerPort] = String(storefront.ports[0]).split(':');
    expect(containerPort).toBe(String(storefront.environment.STOREFRONT_PORT));
    expect(storefront.depends_on.gateway.condition).toBe('service_healthy');
    const gatewayUrl = new URL(storefront.environment.STOREFRONT_GATEWAY_URL);
    expect(services.gateway.ports.map(String)).toContain(`${gatewayUrl.port}:4000`);
    expect(gatewayUrl.pathname).toBe('/graphql');
    // The gateway service sets no CORS_ORIGINS: its defaults must admit the storefront's origin.
    expect(services.gateway.environment?.CORS_ORIGINS).toBeUndefined();
    const corsDefaults = configSchema.shape.CORS_ORIGINS.parse(undefined);
    expect(corsDefaults).toContain(`http://${gatewayUrl.hostname}:${hostPort}`);
  });
});
