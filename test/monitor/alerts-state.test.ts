import { describe, expect, it } from 'vitest';
import { parseMonitorConfig, type AlertRule } from '../../src/monitor/alerts/config.js';
import { evaluateAlerts } from '../../src/monitor/alerts/state.js';
import type { RuleReport, RuleWindow } from '../../src/monitor/alerts/rule.js';
import type { ColumnDrift } from '../../src/monitor/drift.js';
import type { Alert } from '../../src/store/index.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const iso = (i: number): string => new Date(T0 + i * HOUR).toISOString();

function column(name: string, effect: number): ColumnDrift {
  return { column: name, type: 'numeric', test: 'wasserstein', statistic: effect, effect, psi: effect * 2, drifted: effect > 0.1, rows: 100, missing: { reference: 0, window: 0, pValue: 1, drifted: false } };
}

/** A report whose windows have these drift shares (and income's effect equal to the share). */
function report(shares: readonly number[], auc: (number | null)[] = []): RuleReport {
  const windows: RuleWindow[] = shares.map((s, i) => ({ version: 1, start: iso(i), end: iso(i + 1), rows: 100, driftShare: s, drifted: [], driftShareVsPrevious: null, prediction: column('prediction', 0), columns: [column('income', s)] }));
  const quality = auc.map((a, i) => ({ version: 1, start: iso(i), end: iso(i + 1), predictions: 100, labelled: a === null ? 0 : 50, labelledShare: a === null ? 0 : 0.5, labelDelayMs: null, metrics: a === null ? {} : { auc: a } }));
  return { windows, quality, estimated: [] };
}

const rules = (...alerts: { when: string; cooldown?: string; name?: string }[]): AlertRule[] => parseMonitorConfig({ alerts }).alerts;

let n = 0;
function step(r: RuleReport, ruleList: AlertRule[], previous: Alert[], now: number) {
  return evaluateAlerts({ model: 'credit', version: 1, rules: ruleList, report: r, columns: ['income'], previous, now, newId: () => `a${++n}` });
}

describe('alert evaluation', () => {
  it('fires with its evidence, keeps firing without a second notification, then resolves by itself', () => {
    const drift = rules({ when: 'drift_share > 0.1' });
    const opened = step(report([0, 0.5]), drift, [], T0);
    expect(opened.alerts).toHaveLength(1);
    const alert = opened.alerts[0]!;
    expect(alert).toMatchObject({ model: 'credit', version: 1, rule: 'drift_share > 0.1', state: 'firing', firedAt: T0, resolvedAt: null });
    expect(alert.evidence).toEqual({ metric: 'drift_share', op: '>', threshold: 0.1, windows: [{ version: 1, start: iso(1), end: iso(2), value: 0.5 }] });
    expect(opened.notifications).toEqual([{ key: `${alert.id}:firing`, event: 'firing', alert: expect.objectContaining({ id: alert.id, state: 'firing' }), evidence: alert.evidence }]);

    const kept = step(report([0, 0.5, 0.4]), drift, [alert], T0 + HOUR);
    expect(kept.alerts).toEqual([expect.objectContaining({ id: alert.id, state: 'firing', updatedAt: T0 + HOUR })]);
    expect(kept.notifications).toEqual([]);

    const cleared = step(report([0, 0.5, 0.4, 0]), drift, kept.alerts, T0 + 2 * HOUR);
    expect(cleared.alerts).toEqual([expect.objectContaining({ id: alert.id, state: 'resolved', resolvedAt: T0 + 2 * HOUR })]);
    expect(cleared.notifications.map((x) => x.key)).toEqual([`${alert.id}:resolved`]);
  });

  it('`for 2 windows` needs the condition in each of the last two', () => {
    const two = rules({ when: 'drift(income) > 0.1 for 2 windows' });
    expect(step(report([0.5]), two, [], T0).alerts).toEqual([]);
    expect(step(report([0.5, 0]), two, [], T0).alerts).toEqual([]);
    const fired = step(report([0, 0.5, 0.3]), two, [], T0).alerts;
    expect(fired).toHaveLength(1);
    expect(fired[0]!.evidence.windows.map((w) => w.value)).toEqual([0.5, 0.3]);
  });

  it('a quality rule does not fire on a window without labelled rows', () => {
    const auc = rules({ when: 'auc < 0.8' });
    expect(step(report([0, 0], [0.9, null]), auc, [], T0).alerts).toEqual([]);
    expect(step(report([0, 0], [0.9, 0.7]), auc, [], T0).alerts).toHaveLength(1);
  });

  it('after resolving, the rule does not fire again within its cooldown', () => {
    const drift = rules({ when: 'drift_share > 0.1', cooldown: '2h' });
    const opened = step(report([0.5]), drift, [], T0).alerts;
    const resolved = step(report([0]), drift, opened, T0 + HOUR).alerts;
    expect(step(report([0.5]), drift, resolved, T0 + 2 * HOUR)).toEqual({ alerts: [], notifications: [] });
    const again = step(report([0.5]), drift, resolved, T0 + 3 * HOUR);
    expect(again.alerts).toEqual([expect.objectContaining({ state: 'firing', firedAt: T0 + 3 * HOUR })]);
    expect(again.alerts[0]!.id).not.toBe(opened[0]!.id);
  });

  it('a silenced alert is evaluated but notifies nothing; the silence carries to the rule’s next alert while it lasts', () => {
    const drift = rules({ when: 'drift_share > 0.1' });
    const [opened] = step(report([0.5]), drift, [], T0).alerts;
    const quiet = { ...opened!, silencedUntil: T0 + 5 * HOUR };
    const resolved = step(report([0]), drift, [quiet], T0 + HOUR);
    expect(resolved.alerts).toEqual([expect.objectContaining({ state: 'resolved' })]);
    expect(resolved.notifications).toEqual([]);
    const reopened = step(report([0.5]), drift, resolved.alerts, T0 + 2 * HOUR);
    expect(reopened.alerts).toEqual([expect.objectContaining({ state: 'firing', silencedUntil: T0 + 5 * HOUR })]);
    expect(reopened.notifications).toEqual([]);
    // After the silence, notifications are due again.
    const cleared = step(report([0]), drift, reopened.alerts, T0 + 6 * HOUR);
    expect(cleared.notifications.map((x) => x.event)).toEqual(['resolved']);
  });

  it('a rule on an unknown column is an error naming the rule', () => {
    expect(() => step(report([0]), rules({ name: 'salary drift', when: 'psi(salary) > 0.2' }), [], T0)).toThrow(/rule 'salary drift' \('psi\(salary\) > 0\.2'\): no column 'salary'/);
  });
});
