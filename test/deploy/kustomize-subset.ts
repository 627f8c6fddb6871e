/**
 * A renderer for the SUBSET of Kustomize that deploy/kubernetes uses, so that `npm test` can
 * validate the base and each overlay as Kubernetes would receive them, with no kustomize or
 * kubectl binary and nothing downloaded. It is a checking tool, not a kustomize replacement: the
 * production path is `kubectl apply -k` (or `kubectl kustomize`).
 *
 * Supported, and nothing else (any other kustomization field, patch directive or selector throws,
 * naming it, so the manifests cannot silently outgrow what this renderer checks):
 * - `resources`: YAML files (several documents each) and directories holding a kustomization.yaml;
 * - `namespace`: set on every object except Namespaces;
 * - `patches`: strategic-merge patches from `path` or inline `patch`, applied to the object of the
 *   same kind and name, or with `target` ({kind, name, labelSelector of `key=value` pairs}) to
 *   every object it selects;
 * - `images` (`name`, `newName`, `newTag`, `digest`) and `replicas` (`name`, `count`);
 * - `configMapGenerator` / `secretGenerator` with `literals` and `envs`, `behavior`
 *   create | merge | replace. Generated names get a content-hash suffix, and references to them
 *   from pod specs (envFrom, env valueFrom, volumes, projected volumes) are rewritten, once, at
 *   the top-level kustomization, as kustomize does. The hash is not kustomize's own encoding.
 *
 * Strategic merge here: maps merge key by key; `null` deletes a key; a list whose items all have a
 * `name` merges item by item on `name` (containers, env, volumes, ports in these manifests);
 * any other list is replaced by the patch's. Known differences from Kubernetes' merge: volumeMounts
 * merge on `name` (Kubernetes: mountPath) and ports on `name` (Kubernetes: containerPort); `$patch`
 * directives are not supported.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}
export interface RenderOptions {
  /** Reads a generator's `envs` file; by default from disk. */
  readEnvFile?: (path: string) => string;
}
type Json = Record<string, unknown>;

const KUSTOMIZATION_FIELDS = ['apiVersion', 'kind', 'resources', 'namespace', 'patches', 'images', 'replicas', 'configMapGenerator', 'secretGenerator'];
const GENERATOR_FIELDS = ['name', 'behavior', 'literals', 'envs'];
const TARGET_FIELDS = ['kind', 'name', 'labelSelector'];
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition']);

interface Accumulated {
  resources: Resource[];
  generated: Set<Resource>;
}

/** Renders the kustomization in `dir` (its base, generators, patches and transformers). */
export function renderKustomization(dir: string, options: RenderOptions = {}): Resource[] {
  const { resources, generated } = accumulate(resolve(dir), options);
  return suffixGeneratedNames(resources, generated);
}

export function readYamlDocuments(path: string): Resource[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
    const value = doc.toJSON() as Resource | null;
    return value ? [value] : [];
  });
}

function accumulate(dir: string, options: RenderOptions): Accumulated {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const [kustomization] = readYamlDocuments(file) as unknown as Json[];
  refuseUnknown(kustomization, KUSTOMIZATION_FIELDS, file);
  const acc: Accumulated = { resources: [], generated: new Set() };

  for (const entry of (kustomization.resources as string[] | undefined) ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) {
      const inner = accumulate(path, options);
      acc.resources.push(...inner.resources);
      inner.generated.forEach((r) => acc.generated.add(r));
    } else {
      acc.resources.push(...readYamlDocuments(path));
    }
  }
  const ids = acc.resources.map(idOf);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`${file}: ${twice} is defined twice`);

  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const generator of (kustomization[field] as Json[] | undefined) ?? []) {
      refuseUnknown(generator, GENERATOR_FIELDS, `${file} ${field}`);
      generate(acc, kind, generator, dir, options);
    }
  }
  for (const entry of (kustomization.patches as Json[] | undefined) ?? []) {
    refuseUnknown(entry, ['path', 'patch', 'target'], `${file} patches`);
    const patches = entry.path ? readYamlDocuments(resolve(dir, entry.path as string)) : (parseAllDocuments(entry.patch as string).map((d) => d.toJSON()) as Resource[]);
    for (const patch of patches) applyPatch(acc.resources, patch, entry.target as Json | undefined, file);
  }
  if (kustomization.namespace) {
    for (const r of acc.resources) if (!CLUSTER_SCOPED.has(r.kind)) r.metadata.namespace = kustomization.namespace as string;
  }
  for (const image of (kustomization.images as Json[] | undefined) ?? []) {
    refuseUnknown(image, ['name', 'newName', 'newTag', 'digest'], `${file} images`);
    for (const container of acc.resources.flatMap(podSpecsOf).flatMap(containersOf)) setImage(container, image);
  }
  for (const replica of (kustomization.replicas as Json[] | undefined) ?? []) {
    refuseUnknown(replica, ['name', 'count'], `${file} replicas`);
    const target = acc.resources.find((r) => ['Deployment', 'StatefulSet'].includes(r.kind) && r.metadata.name === replica.name);
    if (!target) throw new Error(`${file} replicas: no Deployment or StatefulSet named ${String(replica.name)}`);
    (target.spec as Json).replicas = replica.count;
  }
  return acc;
}

function generate(acc: Accumulated, kind: 'ConfigMap' | 'Secret', generator: Json, dir: string, options: RenderOptions): void {
  const name = generator.name as string;
  const data: Record<string, string> = {};
  const add = (line: unknown, where: string) => {
    if (typeof line !== 'string') throw new Error(`${where}: ${JSON.stringify(line)} is not a KEY=value string (quote it)`);
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    if (at < 1 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new Error(`${where}: "${line.slice(0, 40)}" is not KEY=value`);
    data[key] = line.slice(at + 1);
  };
  const read = options.readEnvFile ?? ((path: string) => readFileSync(path, 'utf8'));
  for (const envs of (generator.envs as string[] | undefined) ?? []) {
    const path = resolve(dir, envs);
    for (const line of read(path).split('\n').map((l) => l.trim())) if (line && !line.startsWith('#')) add(line, path);
  }
  for (const literal of (generator.literals as string[] | undefined) ?? []) add(literal, `${kind} ${name}`);

  const behavior = (generator.behavior as string | undefined) ?? 'create';
  const existing = acc.resources.find((r) => acc.generated.has(r) && r.kind === kind && r.metadata.name === name);
  if (behavior === 'create') {
    if (existing) throw new Error(`${kind} ${name} is generated twice (use behavior: merge or replace)`);
    const made: Resource = { apiVersion: 'v1', kind, metadata: { name }, ...(kind === 'Secret' ? { type: 'Opaque' } : {}) };
    made.data = kind === 'Secret' ? base64Values(data) : data;
    acc.resources.push(made);
    acc.generated.add(made);
  } else if (behavior === 'merge' || behavior === 'replace') {
    if (!existing) throw new Error(`${kind} ${name}: behavior ${behavior} needs a generated ${kind} of that name in a base`);
    const encoded = kind === 'Secret' ? base64Values(data) : data;
    existing.data = behavior === 'merge' ? { ...(existing.data as Json), ...encoded } : encoded;
  } else {
    throw new Error(`${kind} ${name}: unknown behavior ${behavior}`);
  }
}

const base64Values = (data: Record<string, string>) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));

function applyPatch(resources: Resource[], patch: Resource, target: Json | undefined, file: string): void {
  if (target) refuseUnknown(target, TARGET_FIELDS, `${file} patch target`);
  const selected = resources.filter((r) =>
    target
      ? (!target.kind || r.kind === target.kind) && (!target.name || r.metadata.name === target.name) && selectorMatches(target.labelSelector as string | undefined, r.metadata.labels)
      : r.kind === patch.kind && r.metadata.name === patch.metadata?.name,
  );
  if (!selected.length) throw new Error(`${file}: patch ${patch.kind}/${patch.metadata?.name} matches no object`);
  // The patch's own name only identifies its object; it never renames one.
  const { name: _name, ...metadata } = patch.metadata ?? {};
  const body = { ...patch, metadata };
  for (const resource of selected) {
    const merged = strategicMerge(resource, body) as Json;
    for (const key of Object.keys(resource)) if (!(key in merged)) delete (resource as Json)[key];
    Object.assign(resource, merged); // in place: the object keeps its identity (generated set)
  }
}

/** `key=value[,key=value]`; set-based and `!=` selectors are outside this subset. */
function selectorMatches(selector: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const match = /^\s*([\w./-]+)\s*==?\s*([\w.-]*)\s*$/.exec(term);
    if (!match) throw new Error(`labelSelector "${term}": only key=value terms are supported`);
    return labels[match[1]] === match[2];
  });
}

const isMap = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const allNamed = (list: unknown[]) => list.every((item) => isMap(item) && typeof item.name === 'string');

/** Merges `patch` into `base` (see the top of this file for the rules); returns a new value. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isMap(patch) && Object.keys(patch).some((k) => k.startsWith('$'))) throw new Error(`patch directive ${Object.keys(patch).find((k) => k.startsWith('$'))} is not supported`);
  if (isMap(base) && isMap(patch)) {
    const merged: Json = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else merged[key] = key in base ? strategicMerge(base[key], value) : structuredClone(value);
    }
    return merged;
  }
  if (Array.isArray(base) && Array.isArray(patch) && allNamed(base) && allNamed(patch)) {
    const merged = [...base] as Json[];
    for (const item of patch as Json[]) {
      const at = merged.findIndex((existing) => existing.name === item.name);
      if (at >= 0) merged[at] = strategicMerge(merged[at], item) as Json;
      else merged.push(structuredClone(item));
    }
    return merged;
  }
  return structuredClone(patch);
}

/** The pod specs inside a workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod). */
export function podSpecsOf(resource: Resource): Json[] {
  const spec = resource.spec as Json | undefined;
  if (!spec) return [];
  if (resource.kind === 'Pod') return [spec];
  if (resource.kind === 'CronJob') return [(((spec.jobTemplate as Json).spec as Json).template as Json).spec as Json];
  const template = spec.template as Json | undefined;
  return template?.spec ? [template.spec as Json] : [];
}

export function containersOf(podSpec: Json): Json[] {
  return [...((podSpec.initContainers as Json[] | undefined) ?? []), ...((podSpec.containers as Json[] | undefined) ?? [])];
}

function setImage(container: Json, image: Json): void {
  const match = /^([^@]+?)(?::([\w.-]+))?(?:@(sha256:[a-f0-9]+))?$/.exec(container.image as string);
  if (!match || match[1] !== image.name) return;
  const digest = (image.digest as string | undefined) ?? (image.newTag ? undefined : match[3]);
  const tag = image.digest ? undefined : ((image.newTag as string | undefined) ?? match[2]);
  container.image = `${(image.newName as string | undefined) ?? match[1]}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/** Gives each generated object its content-hash name and points every pod-spec reference at it. */
function suffixGeneratedNames(resources: Resource[], generated: Set<Resource>): Resource[] {
  const renamed = new Map<string, string>();
  for (const r of generated) {
    const hash = createHash('sha256').update(JSON.stringify([r.kind, r.metadata.name, r.data])).digest('hex').slice(0, 10);
    renamed.set(`${r.kind}/${r.metadata.name}`, `${r.metadata.name}-${hash}`);
    r.metadata.name = `${r.metadata.name}-${hash}`;
  }
  const rename = (kind: string, holder: Json | undefined, field: string) => {
    const next = holder && renamed.get(`${kind}/${String(holder[field])}`);
    if (holder && next) holder[field] = next;
  };
  for (const podSpec of resources.flatMap(podSpecsOf)) {
    for (const container of containersOf(podSpec)) {
      for (const from of (container.envFrom as Json[] | undefined) ?? []) {
        rename('ConfigMap', from.configMapRef as Json | undefined, 'name');
        rename('Secret', from.secretRef as Json | undefined, 'name');
      }
      for (const env of (container.env as Json[] | undefined) ?? []) {
        const valueFrom = env.valueFrom as Json | undefined;
        rename('ConfigMap', valueFrom?.configMapKeyRef as Json | undefined, 'name');
        rename('Secret', valueFrom?.secretKeyRef as Json | undefined, 'name');
      }
    }
    for (const volume of (podSpec.volumes as Json[] | undefined) ?? []) {
      rename('ConfigMap', volume.configMap as Json | undefined, 'name');
      rename('Secret', volume.secret as Json | undefined, 'secretName');
      for (const source of ((volume.projected as Json | undefined)?.sources as Json[] | undefined) ?? []) {
        rename('ConfigMap', source.configMap as Json | undefined, 'name');
        rename('Secret', source.secret as Json | undefined, 'name');
      }
    }
  }
  return resources;
}

function idOf(r: Resource): string {
  return `${r.kind}/${r.metadata?.name}`;
}

function refuseUnknown(object: Json, known: string[], where: string): void {
  const unknown = Object.keys(object).filter((key) => !known.includes(key));
  if (unknown.length) throw new Error(`${where}: ${unknown.join(', ')} is outside the Kustomize subset this renderer supports`);
}
