import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

describe('the published package', () => {
  it('carries the built dashboard: a registry install, where prepare does not run, serves it too', () => {
    // --ignore-scripts: prepare would build again; what is in dist/ now (npm test builds first) is what would ship.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as { files: { path: string }[] }[];
    const files = new Set(packed[0]!.files.map((f) => f.path));
    expect(files).toContain('dist/ui/index.html');
    // Every script and stylesheet the page loads.
    const html = readFileSync(join(ROOT, 'dist', 'ui', 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\/ui\/(assets\/[^"]+)"/g)].map((m) => `dist/ui/${m[1]}`);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const a of assets) expect(files, a).toContain(a);
    // The CLI that serves it.
    expect(files).toContain('dist/cli/commands/ui.js');
    // The node-free prediction entry and its one-file browser bundle.
    expect(files).toContain('dist/predict/index.js');
    expect(files).toContain('dist/hyperplane-predict.js');
  });

  it('exports hyperplane/predict, hyperplane/client and the ONNX round trips by name, as an app that installed it imports them', () => {
    const script = [
      "const p = await import('hyperplane/predict'); const c = await import('hyperplane/client'); const h = await import('hyperplane');",
      'console.log([p.loadPipeline, p.decodePackage, c.hyperplaneClient, h.exportOnnx, h.importOnnxFile, h.referenceFromRows].map((f) => typeof f).join(" "));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim()).toBe('function function function function function function');
  });
});
