import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { EXPORTABLE_KINDS, EXPORTABLE_STEPS, exportOnnx } from '../../onnx/index.js';
import { loadModelRef } from '../model-ref.js';
import { HYPERPLANE_VERSION } from '../version.js';

const FORMATS = ['onnx'];

interface ExportFlags {
  format: string;
  out: string;
}

const HELP = `
The ONNX graph (IR 8, opset 17, ai.onnx.ml 3) has one input per column the model reads, named as the column,
shape [N, 1]: double for numeric columns (NaN when missing), string for categorical and binary ones ("" or NA
when missing; unseen labels count as unseen, as in predict), and double for date columns: milliseconds since
1970-01-01 UTC, as Date.getTime() gives (NaN when missing), from which the graph takes the UTC year, month,
weekday, hour and day count as predict does. Outputs: for classification, label (string [N],
the predicted class, the threshold applied) and probabilities (double [N, K], in the package's label order);
for regression, variable (double [N, 1]). Thresholds, coefficients and leaf values stay double: the numbers
are hyperplane predict's.

Models: ${EXPORTABLE_KINDS.join(', ')}, and ensembles of them.
Recipe steps: ${EXPORTABLE_STEPS.join(', ')}, and the linear models' imputation and scaling.
Anything else (a scorecard, rules, text columns) is refused with exit code 2.`;

/** A model package as a file another runtime scores: ONNX. */
export function exportCommand(): Command {
  return new Command('export')
    .description('write a model package as an ONNX graph, for ONNX Runtime and other runtimes')
    .argument('<model>', 'a model package file or the folder train --out wrote, or from the store: name@alias, name/3, name/latest or a run id')
    .option('--format <format>', `the file format: ${FORMATS.join(', ')}`, 'onnx')
    .requiredOption('--out <file>', 'the file to write (model.onnx)')
    .addHelpText('after', HELP)
    .action(async (ref: string, flags: ExportFlags) => {
      if (!FORMATS.includes(flags.format)) throw new HyperplaneError(`--format ${flags.format}: the formats are: ${FORMATS.join(', ')}`);
      const { pkg, label } = await loadModelRef(ref);
      let exported;
      try {
        exported = exportOnnx(pkg, { producerVersion: HYPERPLANE_VERSION });
      } catch (e) {
        // Named by the model as given: which model could not be exported.
        if (e instanceof HyperplaneError) throw new HyperplaneError(e.reason, { file: label });
        throw e;
      }
      // Renamed into place: a reader never sees half a file.
      const tmp = `${flags.out}.tmp-${process.pid}`;
      try {
        writeFileSync(tmp, exported.bytes);
        renameSync(tmp, flags.out);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new HyperplaneError(`cannot write the ONNX file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: flags.out });
      }
      const inputs = exported.inputs.map((i) => `${i.name} (${i.type}${i.date === true ? ', ms since 1970-01-01 UTC' : ''})`).join(', ');
      const outputs = exported.outputs.map((o) => `${o.name} ${o.type} [${o.shape.join(', ')}]`).join(', ');
      process.stdout.write(`wrote ${flags.out}: ${pkg.info.learner} model of '${pkg.pipeline.target.name}' (${pkg.pipeline.target.task})\n  inputs:  ${inputs}\n  outputs: ${outputs}\n`);
    });
}
