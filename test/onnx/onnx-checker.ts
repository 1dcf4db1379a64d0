import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { exportOnnx } from '../../src/onnx/index.js';
import type { ModelPackage } from '../../src/pipeline/package.js';
import { tempDir } from '../helpers.js';

const PYTHON = '/usr/bin/python3';

/**
 * Exports each package and runs python3-onnx's full checker on the files. Without python3-onnx the check is
 * skipped with the reason printed, except in CI, where it fails.
 */
export function expectOnnxCheckerPasses(packages: readonly ModelPackage[]): void {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = `${PYTHON} cannot import onnx (${(probe.error?.message ?? probe.stderr).trim().split('\n').pop()})`;
    if (process.env['CI'] === 'true') throw new Error(`${why}: CI must check the export with python3-onnx`);
    console.log(`skipped the python3-onnx checker: ${why}`);
    return;
  }
  const dir = tempDir('hyperplane-onnx-check-');
  const files = packages.map((pkg, i) => {
    const file = join(dir, `model-${i}.onnx`);
    writeFileSync(file, exportOnnx(pkg).bytes);
    return file;
  });
  const check = spawnSync(PYTHON, ['-c', 'import onnx,sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok", len(sys.argv) - 1)', ...files], { encoding: 'utf8' });
  expect(check.stderr).toBe('');
  expect(check.stdout.trim()).toBe(`ok ${files.length}`);
  expect(check.status).toBe(0);
}
