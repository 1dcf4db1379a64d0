import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

/** Every installed package's folder, nested node_modules included. */
function installed(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    const folders = name.startsWith('@') ? readdirSync(path).map((n) => join(path, n)) : [path];
    for (const folder of folders) {
      if (!existsSync(join(folder, 'package.json'))) continue;
      out.push(folder, ...installed(join(folder, 'node_modules')));
    }
  }
  return out;
}

describe('the Node version the README and package.json state', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

  it('is the one these tests run on, and what the README says', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    const minimum = semver.minVersion(pkg.engines.node)!;
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`Node ≥ ${minimum.major}.${minimum.minor}`);
  });

  it('is admitted by every installed package (npm ci warned EBADENGINE for cookie@2, which wants Node 22)', () => {
    const refusing: string[] = [];
    for (const folder of installed(join(ROOT, 'node_modules'))) {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } };
      const wanted = manifest.engines?.node;
      if (typeof wanted !== 'string' || semver.validRange(wanted) === null) continue;
      // The oldest Node the package.json admits must satisfy each dependency, not just this machine's.
      if (!semver.satisfies(semver.minVersion(pkg.engines.node)!, wanted) || !semver.satisfies(process.version, wanted)) refusing.push(`${manifest.name}@${manifest.version} wants node ${wanted}`);
    }
    expect(refusing).toEqual([]);
  });
});
