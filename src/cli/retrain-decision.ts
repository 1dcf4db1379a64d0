import type { Comparison } from '../pipeline/retrain.js';
import type { JsonValue } from '../store/index.js';
import { withStore } from './store.js';

/** One retraining's decision, as the run, its note and the audit trail keep it. */
export interface Decision {
  model: string;
  alias: string;
  /** The version the alias served when the retraining started. */
  served: number;
  /** The new model's run. */
  run: string;
  source: string;
  trainRows: number;
  /** How the holdout was drawn, in words. */
  holdout: string;
  comparison: Comparison;
  minGain: number;
  /** Whether the gain's interval clears the margin. */
  promote: boolean;
  /** What started it: cli, or schedule. */
  trigger: string;
  /** Said with the decision: e.g. the new data is what the served model was trained on. */
  warnings: string[];
}

/** What became of the alias. */
export type DecisionOutcome = { moved: true; version: number } | { moved: false; reason: string };

const fixed = (x: number): number => Number(x.toFixed(6));

/** A gain as people read one: its sign always shown. */
export const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;

/**
 * Records a decision: the scores and the interval as the new run's metrics, the decision as its tags and a
 * note in its lab notebook, an audit entry (`retrain.promote` or `retrain.keep`), and on promotion a new
 * version with the alias moved to it. An alias someone moved while this trained is left where they put it.
 */
export async function recordDecision(d: Decision, actor: string): Promise<DecisionOutcome> {
  const c = d.comparison;
  return withStore(async (store) => {
    let outcome: DecisionOutcome = d.promote ? { moved: true, version: 0 } : { moved: false, reason: `the interval's lower end ${signed(c.low)} is below --min-gain ${d.minGain}` };
    if (outcome.moved) {
      const now = (await store.registry.getModel(d.model))?.aliases[d.alias];
      if (now !== d.served) outcome = { moved: false, reason: `${d.model}@${d.alias} was moved to ${now === undefined ? 'nothing' : `version ${now}`} while this trained, from version ${d.served}: it is left as it was` };
    }
    if (outcome.moved) {
      const version = await store.registry.createVersion(d.model, { runId: d.run, description: `retrained from ${d.model}/${d.served} on ${d.source}` });
      await store.registry.setAlias(d.model, d.alias, version.version, { actor });
      outcome = { moved: true, version: version.version };
    }
    const m = c.metric;
    await store.tracking.logMetrics(d.run, [
      { name: `served_${m}`, value: c.current },
      { name: `holdout_${m}`, value: c.candidate },
      { name: 'gain', value: c.gain },
      { name: 'gain_low', value: c.low },
      { name: 'gain_high', value: c.high },
    ].filter((x) => Number.isFinite(x.value)));
    await store.tracking.setTags(d.run, { decision: outcome.moved ? 'promoted' : 'kept', ...(outcome.moved ? { version: String(outcome.version) } : {}) });
    const said = outcome.moved ? `promoted to ${d.model}@${d.alias} as version ${outcome.version}` : `kept ${d.model}@${d.alias} at version ${d.served}: ${outcome.reason}`;
    await store.tracking.addNote(d.run, `retrain (${d.trigger}): ${said}. On ${c.rows} held-out rows (${d.holdout}), ${m} served ${c.current.toFixed(4)}, new ${c.candidate.toFixed(4)}, gain ${c.gain.toFixed(4)}, ${Math.round(c.level * 100)}% interval [${c.low.toFixed(4)}, ${c.high.toFixed(4)}], --min-gain ${d.minGain}.${d.warnings.map((w) => ` Note: ${w}.`).join('')}`, actor);
    const record: Record<string, JsonValue> = { run: d.run, metric: m, served: fixed(c.current), new: fixed(c.candidate), gain: fixed(c.gain), low: fixed(c.low), high: fixed(c.high), level: c.level, rows: c.rows, minGain: d.minGain, trigger: d.trigger };
    await store.audit.record({ actor, action: outcome.moved ? 'retrain.promote' : 'retrain.keep', target: `${d.model}@${d.alias}`, before: { version: d.served }, after: { version: outcome.moved ? outcome.version : d.served, ...record } });
    return outcome;
  });
}
