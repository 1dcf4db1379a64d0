import type { WebhookConfig } from './config.js';
import type { AlertNotification as Due } from './state.js';
import type { AlertNotification, WebhookSender } from './webhook.js';

/**
 * Hands each notification that is due to its alert's webhook (a rule without one notifies none). The
 * sender queues and returns: a slow or down receiver holds up nothing here. Gives how many were queued.
 */
export function deliverNotifications(due: readonly Due[], webhooks: readonly WebhookConfig[], sender: Pick<WebhookSender, 'send'>): number {
  const byName = new Map(webhooks.map((w) => [w.name, w]));
  let queued = 0;
  for (const n of due) {
    const hook = n.alert.webhook === null ? undefined : byName.get(n.alert.webhook);
    if (hook === undefined) continue;
    const body: AlertNotification = {
      key: n.key,
      event: n.event,
      alert: { id: n.alert.id, model: n.alert.model, version: n.alert.version, rule: n.alert.rule, when: n.alert.condition, firedAt: new Date(n.alert.firedAt).toISOString(), resolvedAt: n.alert.resolvedAt === null ? null : new Date(n.alert.resolvedAt).toISOString() },
      evidence: { ...n.evidence },
    };
    sender.send(hook, body);
    queued++;
  }
  return queued;
}
