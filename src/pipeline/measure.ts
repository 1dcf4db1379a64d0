import type { ColumnSchema } from '../data/schema/schema.js';
import type { Table } from '../data/table.js';
import { backgroundRows } from '../explain/background.js';
import { saveModel } from '../learn/registry.js';
import { Pipeline, type Member, type TargetSpec } from './pipeline.js';

/** Rows a single-row predict is timed on: spread over the table, as JSON requests hold them. */
const LATENCY_ROWS = 32;
const WARM_PASSES = 8;

/**
 * What serving a member costs: the median time to score one JSON row through its recipe and model (each row run
 * WARM_PASSES times to warm up, then timed twice), and its recipe and model file's size, as a package holds them.
 */
export function measureMember(member: Member, table: Table, schema: readonly ColumnSchema[], spec: TargetSpec): { latencyUs: number; bytes: number } {
  const pipeline = new Pipeline({ target: spec, schema: [...schema], members: [member] });
  const rows = backgroundRows(table, pipeline.inputColumns).slice(0, LATENCY_ROWS);
  // Warm enough for the optimizing compiler: a model fitted on another thread has never been run in this one.
  for (let pass = 0; pass < WARM_PASSES; pass++) for (const row of rows) pipeline.scoreRows([row]);
  const times: number[] = [];
  for (let pass = 0; pass < 2; pass++)
    for (const row of rows) {
      const t0 = performance.now();
      pipeline.scoreRows([row]);
      times.push((performance.now() - t0) * 1000);
    }
  times.sort((a, b) => a - b);
  const latencyUs = times.length === 0 ? NaN : times[Math.floor(times.length / 2)]!;
  return { latencyUs, bytes: saveModel(member.model).length + new TextEncoder().encode(JSON.stringify(member.recipe)).length };
}
