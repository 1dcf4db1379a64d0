import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
}

const root = new URL('../../', import.meta.url);

function readPackage(url: URL): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(url, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** This Hyperplane's version, from its package.json. */
export const HYPERPLANE_VERSION = readPackage(new URL('package.json', root))?.version ?? '0.0.0';

/** Hyperplane's version and the installed version of each of its dependencies: what a run's code was. */
export function packageVersions(): Record<string, string> {
  const own = readPackage(new URL('package.json', root));
  const versions: Record<string, string> = { hyperplane: HYPERPLANE_VERSION };
  for (const name of Object.keys(own?.dependencies ?? {})) {
    const installed = readPackage(new URL(`node_modules/${name}/package.json`, root));
    if (installed !== undefined) versions[name] = installed.version;
  }
  return versions;
}
