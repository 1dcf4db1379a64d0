// What the side-by-side benchmark scripts share: where they live, the peers' Python, numeric flags, and the
// synthetic CSV they read (written once with `hyperplane synth`, kept in bench/out/).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = dirname(here);
export const out = join(here, 'out');
export const cli = join(root, 'dist/cli/main.js');
export const python = process.env.PYTHON ?? '/usr/bin/python3';
mkdirSync(out, { recursive: true });

/** The number after `--name` on the command line, or `fallback`. */
export function numberFlag(name, fallback) {
  const args = process.argv.slice(2);
  return args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
}

/** bench/out/synth-ROWSx28-seed42.csv: ROWS × 28 features and a binary target, written the first time it is asked for. */
export function synthCsv(rows) {
  const csv = join(out, `synth-${rows}x28-seed42.csv`);
  if (!existsSync(csv)) execFileSync(process.execPath, [cli, 'synth', '--task', 'binary', '--rows', String(rows), '--features', '28', '--seed', '42', '--out', csv], { stdio: 'inherit' });
  return csv;
}
