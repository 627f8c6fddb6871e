/**
 * deploy/kubernetes, checked without a cluster: the base and both overlays are rendered with the
 * subset renderer in ./kustomize-subset.ts (a validation aid, not a kustomize replacement: the
 * production path is `kubectl apply -k`), every object is validated against the Kubernetes API
 * schemas bundled in `kubernetes-models`, and the properties a safe rollout depends on are
 * asserted: probes, resources, graceful termination longer than the process's drain, security
 * contexts, autoscalers, disruption budgets, network isolation of the subgraphs, secrets kept out
 * of git, every variable each process needs (checked with the processes' own config loader), and
 * migrations before rollout.
 * kubernetes-models' validators check types, formats and required fields but not unknown keys;
 * ./known-fields.ts adds that check (like `kubectl apply --validate=strict`).
 *
 * Over 300 lines: one assertion group per property the manifests must have, on one rendering.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Config, SERVICES, configSchema, loadConfig, servicePort, serviceUrl, loadSecrets } from '@flashsale/platform';
import { assertMailConfigured } from '@flashsale/user-subgraph';
import { Resource, containersOf, podSpecsOf, readYamlDocuments, renderKustomization } from './kustomize-subset';
import { FieldChecker, createFieldChecker } from './known-fields';
import { Pod, admits, canConnect, selectorMatches } from './network-policy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const REPO = join(__dirname, '../..');
const ROOT = join(REPO, 'deploy/kubernetes');
const PROCESSES = ['gateway', ...SERVICES] as const;
const SCHEMAS: Record<string, { new (data: never): { validate(): void } }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

let generatedSecrets = '';
let scratch = '';
let unknownFields: FieldChecker;
beforeAll(() => {
  unknownFields = createFieldChecker(REPO);
  scratch = mkdtempSync(join(tmpdir(), 'k8s-secrets-'));
  const out = join(scratch, 'secrets.env');
  const run = spawnSync(process.execPath, [join(ROOT, 'generate-secrets.mjs'), '--mysql-url', 'mysql://flashsale:pw@mysql.db:3306', '--smtp-url', 'smtp://mailer:pw@mail.example.com:587', '--out', out], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  generatedSecrets = readFileSync(out, 'utf8');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Each overlay's secrets.env is git-ignored; the tests render with freshly generated values. */
const render = (dir: string) => renderKustomization(join(ROOT, dir), { readEnvFile: () => generatedSecrets });
const RENDERS = ['base', 'overlays/development', 'overlays/production'] as const;

const ofKind = (objects: Resource[], kind: string) => objects.filter((o) => o.kind === kind) as (Resource & Json)[];
const processDeployments = (objects: Resource[]) => ofKind(objects, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/part-of'] === 'flashsale');
const server = (deployment: Json): Json => deployment.spec.template.spec.containers.find((c: Json) => c.name === 'server');
const configOf = (objects: Resource[]) => (ofKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('flashsale-config-'))?.data ?? {}) as Record<string, string>;
const named = (objects: Resource[], kind: string, name: string) => ofKind(objects, kind).find((o) => o.metadata.name === name);

/** CPU in millicores or memory in bytes, for comparing requests with limits. */
function quantity(value: string | number): number {
  const match = /^([\d.]+)(m|Ki|Mi|Gi)?$/.exec(String(value));
  if (!match) throw new Error(`unexpected quantity ${value}`);
  const scale = { m: 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] ?? ''] ?? 1000;
  return Number(match[1]) * scale;
}

/** The environment a process's container receives, resolved through the rendered ConfigMap and Secret. */
function environmentOf(objects: Resource[], deployment: Json): Record<string, string> {
  const env: Record<string, string> = {};
  const container = server(deployment);
  for (const from of container.envFrom ?? []) {
    const configMap = named(objects, 'ConfigMap', from.configMapRef.name);
    if (!configMap) throw new Error(`${deployment.metadata.name}: no ConfigMap ${from.configMapRef.name}`);
    Object.assign(env, configMap.data);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (!ref) env[variable.name] = variable.value;
    else {
      const secret = named(objects, 'Secret', ref.name);
      if (!secret || !(ref.key in secret.data)) throw new Error(`${deployment.metadata.name}: no key ${ref.key} in Secret ${ref.name}`);
      env[variable.name] = Buffer.from(secret.data[ref.key], 'base64').toString();
    }
  }
  return env;
}

describe.each(RENDERS)('deploy/kubernetes/%s', (dir) => {
  const objects = () => render(dir);

  it('renders objects that all validate against the Kubernetes API schemas, with no unknown field', () => {
    const problems = objects().flatMap((o) => {
      const Model = SCHEMAS[`${o.apiVersion}/${o.kind}`];
      if (!Model) return [`${o.kind}/${o.metadata.name}: no schema for ${o.apiVersion}`];
      const unknown = unknownFields(o).map((path) => `${o.kind}/${o.metadata.name}: unknown field ${path}`);
      try {
        new Model(o as never).validate();
        return unknown;
      } catch (err) {
        return [...unknown, `${o.kind}/${o.metadata.name}: ${(err as Error).message}`];
      }
    });
    expect(problems).toEqual([]);
  });

  it('has one Deployment and one ClusterIP Service per process, images pinned by tag', () => {
    const rendered = objects();
    expect(processDeployments(rendered).map((d) => d.metadata.name).sort()).toEqual([...PROCESSES].sort());
    for (const name of PROCESSES) {
      const service = named(rendered, 'Service', name);
      expect(service?.spec.type).toBe('ClusterIP');
      expect(selectorMatches({ matchLabels: service?.spec.selector }, named(rendered, 'Deployment', name)?.spec.template.metadata.labels)).toBe(true);
    }
    for (const container of rendered.flatMap(podSpecsOf).flatMap(containersOf)) {
      expect(container.image).toMatch(/^[^:@]+(:[\w][\w.-]*)(@sha256:[a-f0-9]{64})?$/);
      expect(container.image).not.toMatch(/:latest$/);
    }
  });

  it('probes /health/ready and /health/live on the process port, sets requests and limits, and outlasts the drain on termination', () => {
    const rendered = objects();
    const config = configOf(rendered);
    const drainSeconds = Number(config.SHUTDOWN_GRACE_MS ?? configSchema.parse({}).SHUTDOWN_GRACE_MS) / 1000;
    for (const deployment of processDeployments(rendered)) {
      const container = server(deployment);
      const podSpec = deployment.spec.template.spec;
      const http = container.ports.find((p: Json) => p.name === 'http');
      // Readiness on the process's own dependencies; liveness on none, so an outage of MySQL, Redis
      // or a subgraph never restarts every replica.
      const paths = { startupProbe: '/health/ready', readinessProbe: '/health/ready', livenessProbe: '/health/live' };
      for (const [probe, path] of Object.entries(paths)) {
        expect({ [probe]: container[probe]?.httpGet }).toEqual({ [probe]: { path, port: 'http' } });
      }
      expect(http?.containerPort).toBeGreaterThanOrEqual(4000);
      for (const resource of ['cpu', 'memory']) {
        const { requests, limits } = container.resources;
        expect(quantity(requests[resource])).toBeGreaterThan(0);
        expect(quantity(limits[resource])).toBeGreaterThanOrEqual(quantity(requests[resource]));
      }
      const [sleep, seconds] = container.lifecycle.preStop.exec.command;
      expect(sleep).toBe('sleep');
      expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(Number(seconds) + drainSeconds);
      expect(podSpec.topologySpreadConstraints?.length).toBeGreaterThan(0);
    }
  });

  it('runs every pod as non-root, without privilege escalation or capabilities, read-only where it can', () => {
    const rendered = objects();
    for (const workload of [...processDeployments(rendered), ...ofKind(rendered, 'Job')]) {
      const podSpec = workload.spec.template.spec;
      expect(podSpec.securityContext.runAsNonRoot).toBe(true);
      expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(podSpec.automountServiceAccountToken).toBe(false);
      for (const container of containersOf(podSpec) as Json[]) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  it('autoscales gateway and order (and nothing else sets their replicas), with a disruption budget per process', () => {
    const rendered = objects();
    const hpas = ofKind(rendered, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`).sort()).toEqual(['Deployment/gateway', 'Deployment/order']);
    for (const deployment of processDeployments(rendered)) {
      const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === deployment.metadata.name);
      if (hpa) expect(deployment.spec.replicas).toBeUndefined();
      if (hpa) expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      const fewest = hpa ? hpa.spec.minReplicas : (deployment.spec.replicas ?? 1);
      const budgets = ofKind(rendered, 'PodDisruptionBudget').filter((p) => selectorMatches(p.spec.selector, deployment.spec.template.metadata.labels));
      expect(budgets).toHaveLength(1);
      const { minAvailable, maxUnavailable } = budgets[0].spec;
      expect([minAvailable, maxUnavailable].filter((v) => v !== undefined)).toHaveLength(1);
      if (minAvailable !== undefined) expect(minAvailable).toBeLessThan(fewest); // else a drain never evicts
    }
  });

  it('lets only the gateway (and Prometheus from the monitoring namespace) reach a subgraph port', () => {
    const rendered = objects();
    const policies = ofKind(rendered, 'NetworkPolicy');
    const namespace = rendered.find((o) => o.metadata.namespace)?.metadata.namespace ?? 'default';
    const podOf = (deployment: Json): Pod => ({
      namespace,
      labels: deployment.spec.template.metadata.labels,
      ports: Object.fromEntries(server(deployment).ports.map((p: Json) => [p.name, p.containerPort])),
    });
    const pods = Object.fromEntries(processDeployments(rendered).map((d) => [d.metadata.name, podOf(d)]));
    const migrate = { namespace, labels: ofKind(rendered, 'Job')[0].spec.template.metadata.labels };
    const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    // A pod nobody planned for (`kubectl run debug`): default-deny isolates it both ways.
    const debug = { namespace, labels: { run: 'debug' } };
    const stranger = { namespace: 'elsewhere', labels: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/part-of': 'flashsale' } };
    for (const name of SERVICES) {
      const port = pods[name].ports!.http;
      expect({ name, gateway: canConnect(policies, pods.gateway, pods[name], port) }).toEqual({ name, gateway: true });
      expect(canConnect(policies, prometheus, pods[name], port)).toBe(true);
      // Refused on the subgraph's own (ingress) side, whatever the caller's egress would allow.
      for (const other of [...SERVICES.map((s) => pods[s]), migrate, stranger, debug]) {
        expect({ name, from: other.labels, admitted: admits(policies, other, pods[name], port) }).toMatchObject({ admitted: false });
      }
      expect(canConnect(policies, pods.gateway, pods[name], port + 1000)).toBe(false);
    }
    expect(canConnect(policies, stranger, pods.gateway, pods.gateway.ports!.http)).toBe(true);
    expect(canConnect(policies, stranger, debug, 8080)).toBe(false);
    expect(canConnect(policies, debug, stranger, 443)).toBe(false);
    expect(canConnect(policies, pods.cart, pods.gateway, pods.gateway.ports!.http + 1)).toBe(false);
  });
});

describe.each(['overlays/development', 'overlays/production'])('deploy/kubernetes/%s (with its Secret)', (dir) => {
  const objects = () => render(dir);

  it('gives every process the variables its own config loader requires, from the ConfigMap and Secret', () => {
    const rendered = objects();
    for (const deployment of processDeployments(rendered)) {
      const name = deployment.metadata.name as (typeof PROCESSES)[number];
      const env = environmentOf(rendered, deployment);
      const config: Config = loadConfig(env);
      // Pods share no keys directory: every secret must come from the Secret, in development too.
      expect(() => loadSecrets({ ...config, NODE_ENV: 'production' }, { needPrivateKey: name === 'user' })).not.toThrow();
      expect(config.HOST).toBe('0.0.0.0');
      const http = server(deployment).ports.find((p: Json) => p.name === 'http').containerPort;
      expect(name === 'gateway' ? config.GATEWAY_PORT : servicePort(config, name)).toBe(http);
      expect(env.REDIS_URL ?? env.REDIS_CLUSTER_NODES).toBeDefined();
      if (name === 'gateway') {
        expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['JWT_PRIVATE_KEY']));
        expect(env.MYSQL_URL).toBeUndefined();
        for (const subgraph of SERVICES) {
          const url = new URL(serviceUrl(config, subgraph));
          const service = named(rendered, 'Service', url.hostname);
          expect(service?.spec.ports.map((p: Json) => p.port)).toContain(Number(url.port));
          expect(service?.spec.selector['app.kubernetes.io/name']).toBe(subgraph);
        }
      } else {
        expect(env.MYSQL_URL).toBe('mysql://flashsale:pw@mysql.db:3306');
      }
      if (name === 'user') expect(() => assertMailConfigured({ ...config, NODE_ENV: 'production' })).not.toThrow();
    }
  });

  it('every pod meets the "restricted" Pod Security Standard its namespace enforces (the in-cluster MySQL and Redis too)', () => {
    const rendered = objects();
    const [namespace] = ofKind(rendered, 'Namespace');
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const workload of rendered.filter((o) => podSpecsOf(o).length)) {
      const [podSpec] = podSpecsOf(workload) as Json[];
      const where = `${workload.kind}/${workload.metadata.name}`;
      expect({ where, hostNetwork: podSpec.hostNetwork, hostPID: podSpec.hostPID, hostPath: (podSpec.volumes ?? []).some((v: Json) => v.hostPath) }).toEqual({ where, hostNetwork: undefined, hostPID: undefined, hostPath: false });
      for (const container of containersOf(podSpec) as Json[]) {
        const context = { ...podSpec.securityContext, ...container.securityContext };
        expect({ where, runAsNonRoot: context.runAsNonRoot, seccomp: context.seccompProfile?.type, privileged: context.privileged ?? false }).toEqual({ where, runAsNonRoot: true, seccomp: 'RuntimeDefault', privileged: false });
        expect({ where, escalation: container.securityContext?.allowPrivilegeEscalation, drop: container.securityContext?.capabilities?.drop }).toEqual({ where, escalation: false, drop: ['ALL'] });
      }
    }
  });

  it('runs migrations in a Job that the first apply step selects and the Deployments wait for', () => {
    const rendered = objects();
    const [job] = ofKind(rendered, 'Job');
    const container = job.spec.template.spec.containers[0];
    expect(container.command).toEqual(['npm', 'run', 'db:migrate']);
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts['db:migrate']).toBeDefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(environmentOf(rendered, { metadata: job.metadata, spec: { template: { spec: { containers: [{ ...container, name: 'server' }] } } } }).MYSQL_URL).toMatch(/^mysql:\/\//);
    // Step one: `kubectl apply -k … -l 'flashsale.io/needs-migration!=true'`.
    // (in development that includes the in-cluster MySQL the Job needs).
    const firstStep = rendered.filter((o) => o.metadata.labels?.['flashsale.io/needs-migration'] !== 'true');
    expect(firstStep.map((o) => o.kind)).toEqual(expect.arrayContaining(['Job', 'ConfigMap', 'Secret', 'ServiceAccount', 'NetworkPolicy']));
    expect(processDeployments(firstStep)).toEqual([]);
    expect(processDeployments(rendered).every((d) => d.metadata.labels?.['flashsale.io/needs-migration'] === 'true')).toBe(true);
  });
});

describe('overlays', () => {
  it('production: NODE_ENV=production, a Redis Cluster, autoscaling from three, minAvailable budgets', () => {
    const rendered = render('overlays/production');
    const config = configOf(rendered);
    expect(config.NODE_ENV).toBe('production');
    expect(loadConfig(config).MIGRATE_ON_START).toBe(false); // only the migrate Job migrates
    expect(config.REDIS_CLUSTER_NODES.split(',').length).toBeGreaterThanOrEqual(3);
    for (const seed of config.REDIS_CLUSTER_NODES.split(',')) expect(seed).toMatch(/^[a-z0-9.-]+:\d+$/);
    for (const hpa of ofKind(rendered, 'HorizontalPodAutoscaler')) expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(3);
    for (const pdb of ofKind(rendered, 'PodDisruptionBudget')) expect(pdb.spec).toMatchObject({ minAvailable: expect.any(Number) });
    for (const deployment of processDeployments(rendered)) expect(deployment.spec.replicas ?? 2).toBeGreaterThanOrEqual(2);
    expect(new Set(rendered.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(new Set(['flashsale']));
  });

  it('development: NODE_ENV=development, one replica of each, small requests, in-cluster MySQL and Redis', () => {
    const rendered = render('overlays/development');
    expect(configOf(rendered).NODE_ENV).toBe('development');
    for (const hpa of ofKind(rendered, 'HorizontalPodAutoscaler')) expect(hpa.spec.minReplicas).toBe(1);
    for (const deployment of processDeployments(rendered)) {
      expect(deployment.spec.replicas ?? 1).toBe(1);
      expect(quantity(server(deployment).resources.requests.cpu)).toBeLessThanOrEqual(100);
    }
    expect(['mysql', 'redis'].map((name) => named(rendered, 'Service', name)?.metadata.name)).toEqual(['mysql', 'redis']);
  });
});

describe('secrets', () => {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

  it('no committed manifest carries a Secret with values; each overlay generates it from a git-ignored file', () => {
    for (const file of files(ROOT).filter((f) => f.endsWith('.yaml'))) {
      for (const doc of readYamlDocuments(file)) if (doc.kind === 'Secret') expect({ file, data: doc.data, stringData: doc.stringData }).toEqual({ file });
    }
    for (const overlay of ['development', 'production']) {
      const [kustomization] = readYamlDocuments(join(ROOT, 'overlays', overlay, 'kustomization.yaml')) as unknown as Json[];
      expect(kustomization.secretGenerator).toEqual([{ name: 'flashsale-secrets', envs: ['secrets.env'] }]);
      const ignored = spawnSync('git', ['check-ignore', '-q', `deploy/kubernetes/overlays/${overlay}/secrets.env`], { cwd: REPO });
      expect({ overlay, ignoredByGit: ignored.status }).toEqual({ overlay, ignoredByGit: 0 });
    }
    expect(readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n')).toContain('deploy/kubernetes/overlays/*/secrets.env');
  });

  it('the example lists exactly the keys the generator writes, and the generator never overwrites', () => {
    const keys = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.slice(0, l.indexOf('='))).sort();
    expect(keys(readFileSync(join(ROOT, 'secrets.env.example'), 'utf8'))).toEqual(keys(generatedSecrets));
    const again = spawnSync(process.execPath, [join(ROOT, 'generate-secrets.mjs'), '--mysql-url', 'mysql://x@y:3306', '--out', join(scratch, 'secrets.env')], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/exists: not overwritten/);
    expect(readFileSync(join(scratch, 'secrets.env'), 'utf8')).toBe(generatedSecrets);
  });
});
