import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePackage, encodePackage, type ModelPackage } from '../../src/pipeline/package.js';
import { rebuildReference } from '../../src/pipeline/rebuild-reference.js';
import { packageReferences } from '../../src/pipeline/monitor-references.js';
import { openStore, type Store } from '../../src/store/index.js';
import { cli, fixture, tempDir } from '../helpers.js';

/** The package as one made before packages kept a monitoring reference; `note` makes its bytes (and so its cache) its own. */
function older(pkg: ModelPackage, note: string): Uint8Array {
  const { monitor: _dropped, ...pipeline } = pkg.pipeline;
  return encodePackage({ pipeline, info: { ...pkg.info, evaluation: `${pkg.info.evaluation} ${note}` } });
}

async function withStore<T>(uri: string, f: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ uri });
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

describe('a monitoring reference rebuilt for a package that keeps none', () => {
  const dir = tempDir('hyperplane-rebuild-');
  const data = join(dir, 'data', 'train.csv');
  const uri = `sqlite:${join(dir, 'hyperplane.db')}`;
  const env = { HYPERPLANE_STORE: uri };
  let original: ModelPackage;

  beforeAll(async () => {
    mkdirSync(join(dir, 'data'));
    copyFileSync(fixture('credit_card.csv'), data);
    // A tracked holdout run (refit by default): the run records its settings and the data's fingerprint.
    const train = await cli(['train', data, '--target', 'declined', '--learner', 'logistic', '--out', join(dir, 'model')], { env, cwd: dir });
    expect(train.code, train.stderr).toBe(0);
    await withStore(uri, async (store) => {
      const [run] = (await store.tracking.listRuns()).runs;
      const full = (await store.tracking.getRun(run!.id))!;
      original = decodePackage(await store.artifacts.get(full.artifacts.find((a) => a.name === 'model')!.sha256), 'model');
      // Versions 1 and 2: the same run's model, stripped of its reference as older packages were.
      for (const note of ['a', 'b']) await store.registry.createVersion('credit', { runId: run!.id, artifact: await store.artifacts.put(older(original, note)) });
    });
  });

  it('equals the reference train packaged: columns, predictions on the held-out rows, target; cached in the store', async () => {
    await withStore(uri, async (store) => {
      const rebuilt = await rebuildReference(store, 'credit', 1);
      if ('reason' in rebuilt) throw new Error(rebuilt.reason);
      // Through JSON, as the packaged one was.
      expect(JSON.parse(JSON.stringify(rebuilt.reference))).toEqual(original.pipeline.monitor);
      expect(rebuilt.reference.prediction.source).toBe('held-out');
      const run = (await store.tracking.getRun((await store.registry.resolve('credit/1')).runId!))!;
      expect(run.artifacts.filter((a) => a.name.startsWith('monitor-reference '))).toHaveLength(1);
      // The ship-time fold finds it too (from the cache).
      expect((await packageReferences(store)('credit', 1))?.reference).toEqual(JSON.parse(JSON.stringify(rebuilt.reference)));
    });
    const r = await cli(['monitor', 'credit/1', '--since', '1d', '--json'], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('cross-validation: the same column sketches, with in-sample scores marked training (out-of-fold ones would take k fits)', async () => {
    const train = await cli(['train', data, '--target', 'declined', '--learner', 'logistic', '--cv', '3', '--experiment', 'cv', '--out', join(dir, 'cv')], { env, cwd: dir });
    expect(train.code, train.stderr).toBe(0);
    await withStore(uri, async (store) => {
      const [run] = (await store.tracking.listRuns({ experiment: 'cv' })).runs;
      const pkg = decodePackage(readFileSync(join(dir, 'cv', 'model.hpkg')), 'cv');
      await store.registry.createVersion('credit-cv', { runId: run!.id, artifact: await store.artifacts.put(older(pkg, 'cv')) });
      const rebuilt = await rebuildReference(store, 'credit-cv', 1);
      if ('reason' in rebuilt) throw new Error(rebuilt.reason);
      const { prediction, importance: _none, ...rest } = JSON.parse(JSON.stringify(rebuilt.reference)) as NonNullable<ModelPackage['pipeline']['monitor']>;
      const { prediction: _oof, importance: _none2, ...expected } = pkg.pipeline.monitor!;
      expect(rest).toEqual(expected);
      expect(prediction.source).toBe('training');
    });
  });

  it('says in one line why not when the training data changed, or is gone (exit 2)', async () => {
    writeFileSync(data, `${readFileSync(data, 'utf8').trimEnd().split('\n').slice(0, -1).join('\n')}\n`);
    const changed = await cli(['monitor', 'credit/2', '--since', '1d'], { env, cwd: dir });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toBe('hyperplane: error: credit/2 was trained before packages kept a monitoring reference, and its training data data/train.csv has changed since (fingerprint differs): train it again to monitor it\n');
    rmSync(data);
    const gone = await cli(['monitor', 'credit/2', '--since', '1d'], { env, cwd: dir });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe('hyperplane: error: credit/2 was trained before packages kept a monitoring reference, and its training data data/train.csv is no longer there: train it again to monitor it\n');
    // The fold skips its records as before; the version rebuilt earlier still has its cached reference.
    await withStore(uri, async (store) => {
      expect(await packageReferences(store)('credit', 2)).toBeUndefined();
      expect(await packageReferences(store)('credit', 1)).toBeDefined();
    });
  });
});
