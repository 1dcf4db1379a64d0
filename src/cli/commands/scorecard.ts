import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import { scorecardOf } from '../../explain/scorecard.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { loadModelRef } from '../model-ref.js';
import { cardCsv, cardTable, leftOutLines, roundingLine, scalingLine } from '../render/scorecard-text.js';

interface ScorecardFlags {
  out?: string;
  json?: boolean;
}

/** `hyperplane scorecard MODEL`: a scorecard model's card, as a table, a CSV file or JSON. */
export function scorecardCommand(): Command {
  return new Command('scorecard')
    .description("print a scorecard model's card: each characteristic's attributes with counts, event rate, WoE and points")
    .argument('<model>', 'a model package file, or from the store: name@alias, name/3, name/latest or a run id')
    .option('--out <file.csv>', 'write the card to a CSV file, one row per attribute')
    .option('--json', 'print the card as JSON')
    .action(async (ref: string, flags: ScorecardFlags) => {
      // Checked before the model is read: a wrong flag is said at once, whatever the model.
      if (flags.out !== undefined && extname(flags.out).toLowerCase() !== '.csv') throw new HyperplaneError(`--out ${flags.out}: the card is written as CSV; give a file ending in .csv`);
      const { pkg, label } = await loadModelRef(ref);
      const card = scorecardOf(new Pipeline(pkg.pipeline));
      if (card === undefined) throw new HyperplaneError(`${label} is a ${pkg.info.learner} model: only scorecard models have a card (train one with --learner scorecard)`);
      if (flags.out !== undefined) {
        writeFileSync(flags.out, cardCsv(card));
        const attributes = card.characteristics.reduce((n, c) => n + c.attributes.length, 0);
        process.stderr.write(`wrote ${flags.out}: ${card.characteristics.length} characteristics, ${attributes} attributes\n`);
      }
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(card, null, 2)}\n`);
        return;
      }
      if (flags.out !== undefined) return;
      const nonEvent = pkg.pipeline.target.labels?.[0];
      process.stdout.write(`${[cardTable(card), '', ...leftOutLines(card), '', scalingLine(card, nonEvent), roundingLine(card)].join('\n')}\n`);
    });
}
