import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { profileData } from '../../data/load.js';
import { saveSchemaFile } from '../../data/schema/schema-file.js';
import { renderProfileHtml } from '../render/profile-html.js';
import { renderProfileText } from '../render/profile-text.js';
import { addReadOptions, readOptionsFromFlags, type RawReadFlags } from '../read-options.js';

interface ProfileFlags extends RawReadFlags {
  target?: string;
  schema?: string;
  json?: boolean;
  html?: string;
  saveSchema?: string;
  clusters?: boolean;
}

export function profileCommand(): Command {
  const command = new Command('profile')
    .description('infer the schema of a data set and profile every column')
    .argument('<data>', 'a CSV/TSV/Parquet/JSON/NDJSON file, a glob, or postgres://… with --query')
    .option('--target <column>', 'the column to predict: infers the task and checks for imbalance and leakage')
    .option('--schema <file>', 'a schema JSON file (from --save-schema) whose types override inference')
    .option('--save-schema <file>', 'write the inferred schema as JSON, to edit and pass back with --schema')
    .option('--json', 'print the full profile as JSON')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--clusters', 'add clusters of rows: k-means on the feature columns, k by silhouette on a sample of up to 1,000 rows');
  addReadOptions(command);
  return command.action(async (data: string, flags: ProfileFlags) => {
    const report = await profileData(data, {
      ...readOptionsFromFlags(flags),
      ...(flags.schema !== undefined ? { schemaPath: flags.schema } : {}),
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      // k-means lives above the data layer: the command hands it in.
      ...(flags.clusters === true ? { clusters: (await import('../../features/profile-clusters.js')).profileClusters } : {}),
    });
    if (flags.saveSchema !== undefined) saveSchemaFile(flags.saveSchema, report.schema);
    if (flags.html !== undefined) writeFileSync(flags.html, renderProfileHtml(report));
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      process.stdout.write(`${renderProfileText(report)}\n`);
      if (flags.saveSchema !== undefined) process.stdout.write(`schema written to ${flags.saveSchema}\n`);
      if (flags.html !== undefined) process.stdout.write(`report written to ${flags.html}\n`);
    }
  });
}
