import { Command, Option } from 'commander';
import { writeSynthFile } from '../../synth/write.js';
import type { SynthTask } from '../../synth/generate.js';
import { parseInteger, parsePositiveInt } from '../read-options.js';

interface SynthFlags {
  task: SynthTask;
  rows: number;
  features: number;
  seed: number;
  classes?: number;
  out: string;
}

export function synthCommand(): Command {
  return new Command('synth')
    .description('generate a reproducible synthetic data set (same seed, same bytes) for tests and benchmarks')
    .addOption(new Option('--task <task>', 'what the target is').choices(['binary', 'multiclass', 'regression']).default('binary'))
    .option('--rows <n>', 'number of rows', parsePositiveInt('--rows'), 10_000)
    .option('--features <n>', 'number of features (40% informative, 20% redundant, the rest noise)', parsePositiveInt('--features'), 28)
    .option('--seed <n>', 'random seed', parseInteger('--seed'), 1)
    .option('--classes <n>', 'classes for --task multiclass', parsePositiveInt('--classes'))
    .requiredOption('--out <file>', 'output file: .csv or .parquet')
    .action(async (flags: SynthFlags) => {
      const started = performance.now();
      await writeSynthFile(flags.out, {
        task: flags.task,
        rows: flags.rows,
        features: flags.features,
        seed: flags.seed,
        ...(flags.classes !== undefined ? { classes: flags.classes } : {}),
      });
      const ms = Math.round(performance.now() - started);
      process.stdout.write(`wrote ${flags.rows.toLocaleString('en-US')} rows × ${flags.features + 1} columns (${flags.task}, seed ${flags.seed}) to ${flags.out} in ${ms} ms\n`);
    });
}
