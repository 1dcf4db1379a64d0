import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadData } from '../../data/load.js';
import { HyperplaneError } from '../../errors.js';
import { describeCentroid, encodeForClustering, fitClusterEncoding, type ClusterEncoding, type SkippedColumn } from '../../features/cluster-matrix.js';
import { chooseK, fit, orderBySize, sampleRows, silhouette, type KMeansFit } from '../../learn/cluster/kmeans.js';
import { fmtInt, fmtNum, fmtPct, textTable, truncate } from '../render/format.js';
import { addReadOptions, parseInteger, readOptionsFromFlags, wholeNumber, type RawReadFlags } from '../read-options.js';

interface ClusterFlags extends RawReadFlags {
  k?: string;
  columns?: string;
  out?: string;
  json?: boolean;
  seed: number;
  schema?: string;
}

const K_MAX = 10;
const N_INIT = 10;
/** Rows above which a silhouette is the mean over a seeded sample of this many. */
const SILHOUETTE_ROWS = 5000;

export interface ClusterReport {
  source: string;
  rows: number;
  /** The columns clustered on and how each was encoded (the fitted model with `centroids`: plain data). */
  encoding: ClusterEncoding;
  skipped: SkippedColumn[];
  k: number;
  chosenBy: 'given' | 'silhouette';
  /** With k chosen by silhouette: each k tried. */
  tried?: { k: number; silhouette: number; inertia: number }[];
  /** Above 5,000 rows, k is chosen on a seeded sample of this many (tried's inertias are the sample's). */
  chosenOnRows?: number;
  inertia: number;
  silhouette: number | null;
  iterations: number;
  seed: number;
  clusters: { cluster: number; size: number; share: number; centroid: Record<string, number>; levels: Record<string, string> }[];
  /** k × width, in the encoded (standardised) units: with `encoding`, what assigns a new row its cluster. */
  centroids: number[][];
}

export function clusterCommand(): Command {
  const command = new Command('cluster')
    .description('group rows by k-means (k-means++ seeding, k chosen by silhouette unless given)')
    .argument('<data>', 'a CSV/TSV/Parquet/JSON/NDJSON file, a glob, or postgres://… with --query')
    .option('--k <k>', `the number of clusters (default: the k from 2 to ${K_MAX} with the highest silhouette, chosen on a sample of ${SILHOUETTE_ROWS.toLocaleString('en-US')} rows in larger data)`)
    .option('--columns <a,b,c>', 'cluster on these columns only (default: every numeric, binary and categorical column)')
    .option('--out <file>', "write each row's cluster as CSV: row (1 = the first data row), cluster")
    .option('--json', 'print the result as JSON')
    .option('--seed <n>', 'the seed of the k-means++ seeding and the silhouette sample', parseInteger('--seed'), 0)
    .option('--schema <file>', 'a schema JSON file (from profile --save-schema) whose types override inference');
  addReadOptions(command);
  return command.action(async (source: string, flags: ClusterFlags) => {
    const k = flags.k !== undefined ? wholeNumber('--k', flags.k, 2) : undefined;
    const columns = flags.columns?.split(',').map((c) => c.trim()).filter((c) => c !== '');
    if (columns !== undefined && columns.length === 0) throw new HyperplaneError('--columns: expected a comma-separated list of column names');
    const data = await loadData(source, { ...readOptionsFromFlags(flags), ...(flags.schema !== undefined ? { schemaPath: flags.schema } : {}) });
    const { table } = data;
    const { encoding, skipped } = fitClusterEncoding(table, data.schema, { ...(columns !== undefined ? { columns } : {}), flag: '--columns' });
    if (k !== undefined && k > table.nRows) throw new HyperplaneError(`--k ${k}: more than the ${fmtInt(table.nRows)} rows`);
    if (k === undefined && table.nRows < 3) throw new HyperplaneError(`${data.source}: choosing k needs at least 3 rows, not ${table.nRows}; pass --k`);
    const X = encodeForClustering(table, encoding);
    const seed = flags.seed;
    let result: KMeansFit;
    let tried: ClusterReport['tried'];
    let score: number | null;
    let sampled: number | undefined;
    if (k === undefined && X.n <= SILHOUETTE_ROWS) {
      const choice = chooseK(X, { kMax: K_MAX, nInit: N_INIT, seed });
      result = orderBySize(choice.fit);
      tried = choice.tried;
      score = choice.tried.find((t) => t.k === choice.k)!.silhouette;
    } else if (k === undefined) {
      // Larger data: k is chosen on a seeded sample (fits and silhouettes), then that k is fitted on every row.
      const rows = sampleRows(X.n, SILHOUETTE_ROWS, seed);
      const sample = { data: new Float64Array(rows.length * X.d), n: rows.length, d: X.d };
      rows.forEach((r, i) => sample.data.set(X.data.subarray(r * X.d, (r + 1) * X.d), i * X.d));
      const choice = chooseK(sample, { kMax: K_MAX, nInit: N_INIT, seed });
      result = orderBySize(fit(X, { k: choice.k, nInit: N_INIT, seed }));
      tried = choice.tried;
      score = silhouette(X, result.labels, { maxRows: SILHOUETTE_ROWS, seed });
      sampled = rows.length;
    } else {
      result = orderBySize(fit(X, { k, nInit: N_INIT, seed }));
      score = k < table.nRows && distinctClusters(result) >= 2 ? silhouette(X, result.labels, { maxRows: SILHOUETTE_ROWS, seed }) : null;
    }
    const sizes = new Array<number>(result.k).fill(0);
    for (const l of result.labels) sizes[l]!++;
    const report: ClusterReport = {
      source: data.source,
      rows: table.nRows,
      encoding,
      skipped,
      k: result.k,
      chosenBy: k === undefined ? 'silhouette' : 'given',
      ...(tried !== undefined ? { tried } : {}),
      ...(sampled !== undefined ? { chosenOnRows: sampled } : {}),
      inertia: result.inertia,
      silhouette: score,
      iterations: result.iterations,
      seed,
      clusters: sizes.map((size, c) => {
        const { numeric, categorical } = describeCentroid(encoding, result.centroids.subarray(c * result.d, (c + 1) * result.d));
        return { cluster: c, size, share: size / table.nRows, centroid: numeric, levels: categorical };
      }),
      centroids: sizes.map((_, c) => Array.from(result.centroids.subarray(c * result.d, (c + 1) * result.d))),
    };
    if (flags.out !== undefined) {
      const lines = ['row,cluster'];
      for (let i = 0; i < table.nRows; i++) lines.push(`${i + 1},${result.labels[i]}`);
      writeFileSync(flags.out, `${lines.join('\n')}\n`);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      process.stdout.write(`${renderClusterText(report)}\n`);
      if (flags.out !== undefined) process.stdout.write(`assignments written to ${flags.out}\n`);
    }
  });
}

function distinctClusters(result: KMeansFit): number {
  return new Set(result.labels).size;
}

export function renderClusterText(report: ClusterReport): string {
  const out: string[] = [];
  const numeric = report.encoding.columns.filter((c) => c.kind === 'numeric').length;
  const categorical = report.encoding.columns.length - numeric;
  out.push(`source    ${report.source}, ${fmtInt(report.rows)} rows`);
  out.push(`columns   ${report.encoding.columns.length} (${numeric} numeric, standardised; ${categorical} categorical, one-hot; missing values as the mean)`);
  if (report.skipped.length > 0) out.push(`skipped   ${report.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}`);
  out.push('');
  if (report.tried !== undefined) {
    const on = report.chosenOnRows !== undefined ? `, on a sample of ${fmtInt(report.chosenOnRows)} rows` : '';
    out.push(`choosing k by silhouette (k-means++, ${N_INIT} runs each, seed ${report.seed}${on})`);
    const rows = report.tried.map((t) => [String(t.k), Number.isNaN(t.silhouette) ? '–' : t.silhouette.toFixed(4), fmtNum(t.inertia, 6), t.k === report.k ? '◀' : '']);
    out.push(textTable(['k', 'silhouette', 'inertia', ''], rows, new Set([0, 1, 2])).replace(/^/gm, '  '));
    out.push('');
  }
  const silhouetteText = report.silhouette === null || Number.isNaN(report.silhouette) ? '–' : report.silhouette.toFixed(4);
  out.push(`k = ${report.k} (${report.chosenBy === 'given' ? 'given' : 'the highest silhouette'}) · inertia ${fmtNum(report.inertia, 6)} · silhouette ${silhouetteText} · ${report.iterations} iterations`);
  out.push('');
  const header = ['column', 'all rows', ...report.clusters.map((c) => `cluster ${c.cluster}`)];
  const body: string[][] = [
    ['size', fmtInt(report.rows), ...report.clusters.map((c) => fmtInt(c.size))],
    ['share', '100.0%', ...report.clusters.map((c) => fmtPct(c.share))],
  ];
  for (const spec of report.encoding.columns) {
    if (spec.kind === 'numeric') body.push([truncate(spec.name, 28), fmtNum(spec.mean), ...report.clusters.map((c) => fmtNum(c.centroid[spec.name]))]);
    else {
      const top = spec.levels[spec.shares.indexOf(Math.max(...spec.shares))]!;
      body.push([truncate(spec.name, 28), truncate(top, 16), ...report.clusters.map((c) => truncate(c.levels[spec.name] ?? '', 16))]);
    }
  }
  out.push('centroids, in the columns\' own units (a categorical: its most common level)');
  out.push(textTable(header, body, new Set(header.map((_, j) => j).filter((j) => j > 0))).replace(/^/gm, '  '));
  return out.join('\n');
}
