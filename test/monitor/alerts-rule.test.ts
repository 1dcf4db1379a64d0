import { describe, expect, it } from 'vitest';
import { parseMonitorConfig } from '../../src/monitor/alerts/config.js';
import { parseCondition } from '../../src/monitor/alerts/rule.js';

describe('alert rule grammar', () => {
  it('parses METRIC OP NUMBER [for N windows], with and without a column', () => {
    expect(parseCondition('auc < 0.8 for 2 windows')).toMatchObject({ metric: { kind: 'quality', name: 'auc' }, op: '<', threshold: 0.8, windows: 2 });
    expect(parseCondition('drift_share > 0.1')).toMatchObject({ metric: { kind: 'window', name: 'drift_share' }, op: '>', threshold: 0.1, windows: 1 });
    expect(parseCondition('psi(income) >= 0.2 for 1 window')).toMatchObject({ metric: { kind: 'column', name: 'psi', column: 'income' }, op: '>=', windows: 1 });
    expect(parseCondition('  new_categories( owner ) <= 1e-2 ')).toMatchObject({ metric: { kind: 'column', name: 'new_categories', column: 'owner' }, op: '<=', threshold: 0.01 });
    expect(parseCondition('estimated_accuracy < .7').threshold).toBe(0.7);
  });

  it('malformed rules are errors naming the rule and what was expected', () => {
    const cases: [string, RegExp][] = [
      ['auc <', /^rule 'auc <': expected METRIC OP NUMBER \[for N windows\], e\.g\. 'auc < 0\.8 for 2 windows'$/],
      ['auc == 0.8', /expected METRIC OP NUMBER/],
      ['auc < 0.8 for two windows', /expected METRIC OP NUMBER/],
      ['auc < 0.8 for 0 windows', /needs 1 to 1000 windows/],
      ['aucc < 0.8', /unknown metric 'aucc'; metrics are: drift_share, .*psi\(COLUMN\).*rmse/],
      ['psi > 0.2', /psi needs a column: psi\(COLUMN\)/],
      ['rows(x) > 3', /rows takes no column/],
    ];
    for (const [text, pattern] of cases) expect(() => parseCondition(text), text).toThrow(pattern);
  });
});

describe('monitor config section', () => {
  it('gives rules named (by their text unless named), with cooldowns and webhooks', () => {
    const config = parseMonitorConfig({
      alerts: [{ when: 'drift_share > 0.1', cooldown: '1h', webhook: 'ops' }, { name: 'quality', when: 'auc < 0.8 for 2 windows' }],
      webhooks: [{ name: 'ops', url: 'https://example.com/hook', secret: 's' }],
    });
    expect(config.alerts.map((a) => [a.name, a.cooldownMs, a.webhook])).toEqual([
      ['drift_share > 0.1', 3_600_000, 'ops'],
      ['quality', 0, null],
    ]);
    expect(config.webhooks).toEqual([{ name: 'ops', url: 'https://example.com/hook', secret: 's' }]);
  });

  it('a malformed rule is one line naming its field', () => {
    const bad = (monitor: unknown): string => {
      try {
        parseMonitorConfig(monitor, 'hp.json');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad({ alerts: [{ when: 'rows > 1' }, { when: 'auc <' }] })).toBe("hp.json: monitor.alerts.1.when 'auc <': expected METRIC OP NUMBER [for N windows], e.g. 'auc < 0.8 for 2 windows'");
    expect(bad({ alerts: [{ when: 'rows > 1', cooldown: '1 hour' }] })).toMatch(/monitor\.alerts\.0\.cooldown '1 hour': expected a duration/);
    expect(bad({ alerts: [{ when: 'rows > 1', webhook: 'nope' }] })).toMatch(/monitor\.alerts\.0\.webhook 'nope': no webhook of that name/);
    expect(bad({ alerts: [{ when: 'rows > 1' }, { when: 'rows > 1' }] })).toMatch(/monitor\.alerts\.1\.name 'rows > 1': another rule has this name/);
    expect(bad({ alerts: [{ when: 'rows > 1', wen: 'x' }] })).toMatch(/monitor\.alerts\.0: unknown key 'wen'/);
    expect(bad({ webhooks: [{ name: 'x', url: 'not a url' }] })).toMatch(/monitor\.webhooks\.0\.url/);
  });
});
