/**
 * `npm run bench -- profile <file.cpuprofile>…`: where a process spent its CPU, from a V8 profile
 * written by `node --cpu-prof` (the bench's `--cpu-prof` flag starts the gateway and the order
 * subgraph that way). Prints the share of busy time by package, the top functions by self time,
 * and by inclusive time (each sample counted once per function on its stack).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { table } from './stats';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** A readable bucket for a script URL: an npm package, a project folder, Node itself. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node (core)';
  const project = /\/(subgraphs\/[^/]+|gateway)\//.exec(url);
  return project ? project[1] : url;
}

export function summarizeProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const msPerHit = totalHits ? (profile.endTime - profile.startTime) / 1000 / totalHits : 0;

  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  const buckets = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || IDLE.has(n.callFrame.functionName)) continue;
    busy += hits;
    const b = bucketOf(n.callFrame.url, n.callFrame.functionName);
    buckets.set(b, (buckets.get(b) ?? 0) + hits);
    self.set(key(n), (self.get(key(n)) ?? 0) + hits);
    const seen = new Set<string>();
    for (let cur: number | undefined = n.id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + hits);
    }
  }
  const pct = (h: number) => `${((100 * h) / Math.max(1, busy)).toFixed(1)}%`;
  const ms = (h: number) => `${Math.round(h * msPerHit)}`;
  const sorted = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const wall = (profile.endTime - profile.startTime) / 1e6;
  return [
    `${basename(path)}: ${wall.toFixed(1)} s profiled, ${(busy * msPerHit / 1000).toFixed(1)} s busy (${((100 * busy) / Math.max(1, totalHits)).toFixed(0)}%)`,
    '',
    table(['busy time by package', 'ms', 'share'], sorted(buckets, 20).map(([k, h]) => [k, ms(h), pct(h)])),
    '',
    table(['top functions by self time', 'ms', 'share'], sorted(self, top).map(([k, h]) => [k, ms(h), pct(h)])),
    '',
    table(['top functions by inclusive time', 'ms', 'share'], sorted(inclusive, top).filter(([k]) => !k.startsWith('(root)')).map(([k, h]) => [k, ms(h), pct(h)])),
    '',
  ].join('\n');
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const project = /\/(subgraphs\/.*|gateway\/.*)$/.exec(url);
  return project ? project[1] : url.replace(/^file:\/\//, '');
}
