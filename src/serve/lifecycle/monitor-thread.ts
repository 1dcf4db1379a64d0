import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadMonitorConfig } from '../../monitor/alerts/config.js';
import { WebhookSender } from '../../monitor/alerts/webhook.js';
import type { MonitoredVersion } from '../../monitor/run.js';
import { MonitorSchedule } from '../../monitor/schedule.js';
import { watchedVersion } from '../../pipeline/monitor-references.js';
import { openStore } from '../../store/index.js';
import type { MonitorThreadData, MonitorThreadMessage } from './monitor-handle.js';

/**
 * The thread behind MonitorThread: the scheduled monitor, on its own store connection and below the
 * answering thread's priority, so a pass (reading aggregates, outcomes, testing drift) never holds up an
 * answer, nor does a slow webhook.
 */
const data = workerData as MonitorThreadData;
const port = parentPort!;
try {
  setPriority(10);
} catch {
  // Not permitted here: the thread keeps the process's priority.
}
const post = (message: MonitorThreadMessage): void => port.postMessage(message);
const store = await openStore({ uri: data.uri, repair: false, migrate: false });
const config = data.configFile === undefined ? undefined : await loadMonitorConfig(data.configFile);
const sender = new WebhookSender({ onGiveUp: (hook, n, reason) => post({ kind: 'error', message: `monitor: webhook ${hook.name} gave up on ${n.event} ${n.alert.rule}: ${reason}` }) });
// A version's package never changes: read once.
const versions = new Map<string, Promise<MonitoredVersion | undefined>>();
const lookup = (model: string, version: number): Promise<MonitoredVersion | undefined> => {
  const key = `${model}/${version}`;
  let found = versions.get(key);
  if (found === undefined) {
    found = (async () => {
      // An old package's reference is rebuilt here (from its run's training data, once, cached in the store), off the shipper's path.
      const outcome = await watchedVersion(store, model, version);
      if ('reason' in outcome) {
        post({ kind: 'error', message: `monitor: ${outcome.reason}` });
        return undefined;
      }
      return outcome.watched;
    })();
    found.catch(() => versions.delete(key));
    versions.set(key, found);
  }
  return found;
};
const schedule = new MonitorSchedule({
  store,
  lookup,
  everyMs: data.everyMs,
  ...(data.rangeMs !== undefined ? { rangeMs: data.rangeMs } : {}),
  ...(config !== undefined ? { config } : {}),
  sender,
  holder: data.holder,
  onPass: (gauges) => post({ kind: 'pass', gauges }),
  onError: (message) => post({ kind: 'error', message }),
});
schedule.start(Math.min(data.everyMs, data.firstAfterMs ?? 5000));
port.on('message', (message: { stop: true }) => {
  if (!message.stop) return;
  void (async () => {
    try {
      await schedule.stop();
      await sender.drain(5000);
    } finally {
      await store.close();
      post({ kind: 'stopped' });
      port.close();
    }
  })();
});
