import { randomBytes } from 'node:crypto';
import type { Alert, AlertEvidence } from '../../store/alerts.js';
import type { AlertRule } from './config.js';
import { checkColumns, evaluateCondition, metricText, type ConditionResult, type RuleReport } from './rule.js';

/** What a webhook sender delivers, once per `key` (the alert's id and the state it entered). */
export interface AlertNotification {
  key: string;
  event: 'firing' | 'resolved';
  alert: Omit<Alert, 'evidence'>;
  evidence: AlertEvidence;
}

export interface AlertEvaluation {
  /** Alerts opened, kept firing (fresh evidence) or resolved: to store (AlertStore.save). */
  alerts: Alert[];
  /** Openings and resolutions not silenced, for the webhooks. */
  notifications: AlertNotification[];
}

export interface EvaluateAlertsInput {
  model: string;
  version: number;
  rules: readonly AlertRule[];
  report: RuleReport;
  /** The model's reference columns: a column rule naming another column is an error. */
  columns: readonly string[];
  /** The newest alert of each rule for this model version (AlertStore.latest). */
  previous: readonly Alert[];
  now: number;
  newId?: () => string;
}

/**
 * Each rule against the report, continuing from the alerts already stored: a rule that holds opens an
 * alert (or keeps its firing one, with fresh evidence), unless it resolved less than its cooldown ago; a
 * firing alert whose rule no longer holds resolves. A silence carries over to the rule's next alert while
 * it lasts, so a flapping rule stays quiet for as long as it was silenced.
 */
export function evaluateAlerts(input: EvaluateAlertsInput): AlertEvaluation {
  const newId = input.newId ?? ((): string => randomBytes(8).toString('hex'));
  const { now } = input;
  const alerts: Alert[] = [];
  const notifications: AlertNotification[] = [];
  for (const rule of input.rules) checkColumns(rule.condition, rule.name, input.columns);
  for (const rule of input.rules) {
    const result = evaluateCondition(rule.condition, input.report);
    const evidence = evidenceOf(rule, result);
    const prev = input.previous.find((a) => a.rule === rule.name);
    let changed: Alert | undefined;
    if (result.holds) {
      if (prev?.state === 'firing') alerts.push({ ...prev, updatedAt: now, evidence });
      else if (prev !== undefined && prev.resolvedAt !== null && now - prev.resolvedAt < rule.cooldownMs) continue;
      else {
        const silencedUntil = prev !== undefined && silenced(prev, now) ? prev.silencedUntil : null;
        changed = { id: newId(), model: input.model, version: input.version, rule: rule.name, condition: rule.when, state: 'firing', firedAt: now, resolvedAt: null, updatedAt: now, silencedUntil, webhook: rule.webhook, evidence };
        alerts.push(changed);
      }
    } else if (prev?.state === 'firing') {
      changed = { ...prev, state: 'resolved', resolvedAt: now, updatedAt: now, evidence };
      alerts.push(changed);
    }
    if (changed !== undefined && !silenced(changed, now)) {
      const { evidence: ev, ...alert } = changed;
      notifications.push({ key: `${changed.id}:${changed.state}`, event: changed.state, alert, evidence: ev });
    }
  }
  return { alerts, notifications };
}

export const silenced = (alert: Pick<Alert, 'silencedUntil'>, now: number): boolean => alert.silencedUntil !== null && alert.silencedUntil > now;

const evidenceOf = (rule: AlertRule, result: ConditionResult): AlertEvidence => ({
  metric: metricText(rule.condition.metric),
  op: rule.condition.op,
  threshold: rule.condition.threshold,
  // JSON has no Infinity: an unbounded effect is kept as the largest number rather than lost as null.
  windows: result.windows.map((w) => ({ ...w, value: w.value === null || Number.isNaN(w.value) ? null : Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, w.value)) })),
});
