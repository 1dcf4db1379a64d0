import type { Table } from '../data/table.js';
import type { OutputColumn } from '../pipeline/io.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { ExplainDepth } from './columns.js';
import { REASONS, scorecardOf, scoreTable } from './scorecard.js';

/** A reason code in words: `income = ≤ 1.8 (−178 points)`, the characteristic's attribute and the points it cost. */
export function reasonText(characteristic: string, attribute: string, pointsLost: number): string {
  return `${characteristic} = ${attribute} (−${pointsLost} point${pointsLost === 1 ? '' : 's'})`;
}

/**
 * What `hyperplane predict --explain` adds for a scorecard, instead of contributions: what the card's
 * readers (and adverse-action notices) use. `score`, then `points_<characteristic>` for each
 * characteristic (they sum to the score), then `reason_1` … `reason_K`: K at most four (the notices'
 * limit), or with `all` one per characteristic. Undefined when the pipeline is not one scorecard.
 */
export function scorecardColumns(pipeline: Pipeline, table: Table, depth: ExplainDepth): OutputColumn[] | undefined {
  const card = scorecardOf(pipeline);
  if (card === undefined) return undefined;
  const names = card.characteristics.map((c) => c.name);
  const k = depth === 'all' ? names.length : Math.min(depth, REASONS);
  const rows = scoreTable(pipeline, table, k)!;
  const n = rows.length;
  const out: OutputColumn[] = [{ name: 'score', kind: 'number', values: Float64Array.from(rows, (r) => r.score) }];
  // By position: every row's points list the characteristics in the card's order.
  names.forEach((name, c) => out.push({ name: `points_${name}`, kind: 'number', values: Float64Array.from(rows, (r) => r.points[c]!.points) }));
  for (let f = 0; f < k; f++) {
    const values: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const reason = rows[i]!.reasons[f];
      // A row that lost points on fewer characteristics has fewer reasons: the rest are empty.
      values[i] = reason === undefined ? null : reasonText(reason.characteristic, reason.attribute, reason.pointsLost);
    }
    out.push({ name: `reason_${f + 1}`, kind: 'text', values });
  }
  return out;
}
