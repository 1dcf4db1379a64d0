import { Command } from 'commander';
import { HyperplaneError } from '../../errors.js';
import type { Alert } from '../../store/index.js';
import { textTable } from '../render/format.js';
import { withStore } from '../store.js';
import { durationMs, utcMinute } from '../when.js';

/** `hyperplane alerts [NAME] [--all] [--json]` and `hyperplane alerts silence ID --for 2h`. */
export function alertsCommand(): Command {
  const alerts = new Command('alerts')
    .description('alerts raised by `hyperplane monitor --config` rules: firing ones (all with --all), newest first')
    .argument('[model]', 'only this model’s alerts')
    .option('--all', 'resolved alerts too')
    .option('--json', 'print the alerts as JSON')
    .exitOverride()
    .action(async (model: string | undefined, flags: { all?: boolean; json?: boolean }) => {
      await withStore(async (store) => {
        const list = await store.alerts.list({ ...(model !== undefined ? { model } : {}), all: flags.all === true });
        if (flags.json === true) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else process.stdout.write(`${alertsText(list, Date.now(), flags.all === true)}\n`);
      });
    });
  alerts
    .command('silence')
    .description('no notification for an alert (and its rule’s next ones) until the time is up; evaluation goes on')
    .argument('<id>', 'the alert id (from hyperplane alerts)')
    .requiredOption('--for <duration>', 'how long: 30m, 2h, 1d, 1w')
    .exitOverride()
    .action(async (id: string, flags: { for: string }) => {
      const ms = durationMs(flags.for);
      if (ms === undefined) throw new HyperplaneError(`--for '${flags.for}': expected a duration such as 30m, 2h or 1d`);
      await withStore(async (store) => {
        const alert = await store.alerts.silence(id, Date.now() + ms);
        if (alert === undefined) throw new HyperplaneError(`no alert '${id}' in ${store.location}`, { field: 'alert' });
        process.stdout.write(`alert ${alert.id} (${alert.model}/${alert.version} '${alert.rule}') silenced until ${utcMinute(alert.silencedUntil ?? 0)} UTC\n`);
      });
    });
  return alerts;
}

const num = (v: number | null): string => (v === null ? '–' : Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** A table of alerts for a terminal; the newest window's value beside the rule's threshold. */
export function alertsText(list: readonly Alert[], now: number, all = false): string {
  if (list.length === 0) return all ? 'no alerts' : 'no firing alerts';
  const rows = list.map((a) => {
    const last = a.evidence.windows.at(-1);
    return [a.id, `${a.model}/${a.version}`, a.rule, a.state, utcMinute(a.firedAt), a.resolvedAt === null ? '' : utcMinute(a.resolvedAt), `${num(last?.value ?? null)} ${a.evidence.op} ${a.evidence.threshold}`, a.silencedUntil !== null && a.silencedUntil > now ? utcMinute(a.silencedUntil) : ''];
  });
  return textTable(['id', 'model', 'rule', 'state', 'fired (UTC)', 'resolved (UTC)', 'value', 'silenced until'], rows);
}

/** Under `hyperplane monitor --config`'s report: the model version's firing alerts. */
export function alertsSummary(list: readonly Alert[]): string {
  const firing = list.filter((a) => a.state === 'firing');
  if (firing.length === 0) return 'alerts: none firing';
  return `alerts: ${firing.length} firing\n${alertsText(firing, Date.now())}`;
}
