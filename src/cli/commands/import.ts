import { renameSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { importOnnxFile } from '../../import/onnx.js';
import { importXgboostFile } from '../../import/xgboost.js';
import { readForPipeline } from '../../pipeline/io.js';
import { encodePackage, type ModelPackage } from '../../pipeline/package.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { referenceFromRows } from '../../pipeline/reference-from-rows.js';

interface XgboostFlags {
  out: string;
  features?: string;
  labels?: string;
  name?: string;
  reference?: string;
}

/** "a, b,c" → ["a", "b", "c"]. */
function list(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

interface OnnxFlags {
  out: string;
  features?: string;
  labels?: string;
  name?: string;
  reference?: string;
}

const REFERENCE_HELP = "rows like those the model was trained on (its training data or a sample of it): their columns and the model's predictions on them become the package's monitoring reference, so `monitor` can tell drift";

/** The package with a monitoring reference from `source` when one is given; says so on stdout. */
async function withReference(pkg: ModelPackage, source: string | undefined): Promise<ModelPackage> {
  if (source === undefined) return pkg;
  const { table, source: read } = await readForPipeline(source, new Pipeline(pkg.pipeline));
  const monitor = referenceFromRows(pkg, table);
  process.stdout.write(`monitoring reference: ${table.nRows.toLocaleString('en-US')} rows of ${read}\n`);
  return { ...pkg, pipeline: { ...pkg.pipeline, monitor } };
}

/** Writes the package, renamed into place: a reader never sees half a package. */
function writePackage(pkg: ModelPackage, out: string): void {
  const bytes = encodePackage(pkg);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, out);
  } catch (e) {
    throw new HyperplaneError(`cannot write the package (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: out });
  }
}

/** Models trained elsewhere, turned into ordinary model packages. */
export function importCommand(): Command {
  const xgboost = new Command('xgboost')
    .description('turn an XGBoost model saved as JSON (booster.save_model("m.json")) into a model package')
    .argument('<model>', 'the XGBoost JSON model file')
    .requiredOption('--out <file>', 'the model package to write (.hpkg)')
    .option('--features <names>', "the model's feature names in order, comma-separated (needed when the model saved none)")
    .option('--labels <labels>', 'binary models: labels for classes 0 and 1, comma-separated (default 0,1)')
    .option('--name <name>', "the name of the predicted column (the target's name; default target)")
    .option('--reference <data>', REFERENCE_HELP)
    .action(async (file: string, flags: XgboostFlags) => {
      if (flags.name !== undefined && flags.name.trim() === '') throw new HyperplaneError('--name is empty; give the predicted column a name');
      const { pkg, trees, features, objective } = importXgboostFile(file, {
        ...(flags.features !== undefined ? { features: list(flags.features) } : {}),
        ...(flags.labels !== undefined ? { labels: list(flags.labels) } : {}),
        ...(flags.name !== undefined ? { name: flags.name } : {}),
      });
      writePackage(await withReference(pkg, flags.reference), flags.out);
      process.stdout.write(`wrote ${flags.out}: ${trees} trees, ${features} features, ${objective} (gbdt, target '${pkg.pipeline.target.name}')\n`);
    });
  const onnx = new Command('onnx')
    .description('turn an ONNX tree ensemble or linear model (as skl2onnx and onnxmltools write them) into a model package')
    .argument('<model>', 'the .onnx model file')
    .requiredOption('--out <file>', 'the model package to write (.hpkg)')
    .option('--features <names>', "names for the model's numeric input columns in order, comma-separated (default: the input's name, or name_0, name_1, …)")
    .option('--labels <labels>', "classifiers: labels for the classes in the model's order, comma-separated (default: its class labels)")
    .option('--name <name>', "the name of the predicted column (the target's name; default target)")
    .option('--reference <data>', REFERENCE_HELP)
    .action(async (file: string, flags: OnnxFlags) => {
      if (flags.name !== undefined && flags.name.trim() === '') throw new HyperplaneError('--name is empty; give the predicted column a name');
      const { pkg, kind, trees, features, summary } = importOnnxFile(file, {
        ...(flags.features !== undefined ? { features: list(flags.features) } : {}),
        ...(flags.labels !== undefined ? { labels: list(flags.labels) } : {}),
        ...(flags.name !== undefined ? { name: flags.name } : {}),
      });
      writePackage(await withReference(pkg, flags.reference), flags.out);
      const shape = trees > 0 ? `${trees} trees, ` : '';
      process.stdout.write(`wrote ${flags.out}: ${shape}${features} features, ${summary.replace(/ \(\w+\)$/, '')} (${kind}, target '${pkg.pipeline.target.name}')\n`);
    });
  return new Command('import')
    .description('import a model trained elsewhere (XGBoost JSON, ONNX) as a model package')
    .addCommand(xgboost.exitOverride())
    .addCommand(onnx.exitOverride());
}
