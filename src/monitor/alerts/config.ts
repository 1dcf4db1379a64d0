import { z } from 'zod';
import { durationMs } from '../../time.js';
import { HyperplaneError } from '../../errors.js';
import { parseCondition, type Condition } from './rule.js';

/** The project config's `monitor` section, as written: alert rules and the webhooks they notify. */
export const monitorConfigSchema = z
  .object({
    alerts: z
      .array(
        z
          .object({
            /** Default: the `when` text. */
            name: z.string().min(1).optional(),
            when: z.string(),
            /** After a resolution, the rule does not fire again for this long (30m, 1h, 1d). */
            cooldown: z.string().optional(),
            /** A webhook's name from `webhooks`. */
            webhook: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    webhooks: z.array(z.object({ name: z.string().min(1), url: z.url(), secret: z.string().min(1).optional() }).strict()).default([]),
    /** Categorical inputs whose levels get their own drift and quality (`hyperplane monitor --config`); checked against the model at report time. */
    segments: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type MonitorConfigInput = z.input<typeof monitorConfigSchema>;

export interface WebhookConfig {
  name: string;
  url: string;
  secret?: string;
}

/** A rule ready to evaluate. */
export interface AlertRule {
  name: string;
  when: string;
  condition: Condition;
  cooldownMs: number;
  webhook: string | null;
}

export interface MonitorConfig {
  alerts: AlertRule[];
  webhooks: WebhookConfig[];
  /** Segment columns: the config does not know the model, so runMonitor checks them against its reference. */
  segments: string[];
}

/**
 * Checks a `monitor` section: its shape, each rule's condition and cooldown, and that each rule's webhook
 * is defined. Errors are one line naming the field: `monitor.alerts.1.when 'auc <': expected …`.
 */
export function parseMonitorConfig(raw: unknown, file?: string): MonitorConfig {
  const at = file === undefined ? {} : { file };
  const parsed = monitorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const why = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` : issue.message.replace(/^Invalid input: /, '');
    throw new HyperplaneError(`${['monitor', ...issue.path.map(String)].join('.')}: ${why}`, at);
  }
  const webhooks: WebhookConfig[] = parsed.data.webhooks.map((w) => ({ name: w.name, url: w.url, ...(w.secret !== undefined ? { secret: w.secret } : {}) }));
  const seenHooks = new Set<string>();
  webhooks.forEach((w, i) => {
    if (seenHooks.has(w.name)) throw new HyperplaneError(`monitor.webhooks.${i}.name '${w.name}': another webhook has this name`, at);
    seenHooks.add(w.name);
  });
  const names = new Set<string>();
  const alerts = parsed.data.alerts.map((a, i): AlertRule => {
    const field = `monitor.alerts.${i}`;
    let condition: Condition;
    try {
      condition = parseCondition(a.when, `${field}.when`);
    } catch (e) {
      throw e instanceof HyperplaneError ? new HyperplaneError(e.reason, at) : e;
    }
    const name = a.name ?? condition.text;
    if (names.has(name)) throw new HyperplaneError(`${field}.name '${name}': another rule has this name; name each rule once`, at);
    names.add(name);
    const cooldownMs = a.cooldown === undefined ? 0 : durationMs(a.cooldown);
    if (cooldownMs === undefined) throw new HyperplaneError(`${field}.cooldown '${a.cooldown}': expected a duration such as 30m, 1h or 1d`, at);
    if (a.webhook !== undefined && !seenHooks.has(a.webhook)) throw new HyperplaneError(`${field}.webhook '${a.webhook}': no webhook of that name in monitor.webhooks`, at);
    return { name, when: a.when, condition, cooldownMs, webhook: a.webhook ?? null };
  });
  return { alerts, webhooks, segments: parsed.data.segments };
}

/** The `monitor` section of a project config file (`hyperplane monitor --config`, `serve`); the rest of the file is not read here. */
export async function loadMonitorConfig(path: string): Promise<MonitorConfig> {
  const { readConfigFile } = await import('../../config/config.js');
  const raw = await readConfigFile(path);
  const section = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>)['monitor'] : undefined;
  if (section === undefined) throw new HyperplaneError('the config has no monitor section (monitor: { alerts: [...], webhooks: [...] })', { file: path });
  return parseMonitorConfig(section, path);
}
