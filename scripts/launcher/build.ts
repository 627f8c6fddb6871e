/** The build step of a launch from compiled code: `tsc -b` (incremental), as `npm start` has always done. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

export function build(log: (msg: string) => void): void {
  log('building (tsc -b, incremental)…');
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}
