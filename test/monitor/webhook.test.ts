import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature, WebhookSender, type AlertNotification, type Webhook } from '../../src/monitor/alerts/webhook.js';
import { backoffMs, DEFAULT_RETRY, nextAttemptAt, parseRetryAfter } from '../../src/monitor/alerts/webhook-queue.js';

interface Hit {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  res: ServerResponse;
}

/** A receiver on a free 127.0.0.1 port; `answer` decides each request's fate (it may leave it hanging). */
async function receiver(answer: (hit: Hit, index: number) => void): Promise<{ url: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), res };
      hits.push(hit);
      answer(hit, hits.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> => {
    // Hanging requests would keep close() waiting forever.
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  closers.push(close);
  return { url: `http://127.0.0.1:${port}/hook`, hits, close };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

const ok = (hit: Hit): void => void hit.res.writeHead(200).end('ok');
const status = (code: number, headers: Record<string, string> = {}) => (hit: Hit): void => void hit.res.writeHead(code, headers).end();

function notification(key = 'alert-1:firing'): AlertNotification {
  return {
    key,
    event: 'firing',
    alert: { id: 'alert-1', model: 'churn', version: 3, rule: 'drift', when: 'share_drifted > 0.3', firedAt: '2025-01-01T00:00:00.000Z', resolvedAt: null },
    evidence: { share_drifted: 0.45, columns: ['tenure', 'plan'] },
  };
}

/** Short backoffs so the whole file runs in a few seconds. */
const FAST = { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 5, deadlineMs: 5000 };

describe('webhook delivery', () => {
  it('delivers once, JSON, with the event, delivery key and a signature a receiver can verify', async () => {
    const r = await receiver(ok);
    const hook: Webhook = { name: 'ops', url: r.url, secret: 's3cret' };
    const sender = new WebhookSender({ retry: FAST });
    sender.send(hook, notification());
    await sender.drain(2000);

    expect(r.hits).toHaveLength(1);
    const [hit] = r.hits;
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.headers['x-hyperplane-event']).toBe('firing');
    expect(hit!.headers['x-hyperplane-delivery']).toBe('alert-1:firing');
    // Verified independently of the module, the way a receiver would.
    const expected = `sha256=${createHmac('sha256', 's3cret').update(hit!.body).digest('hex')}`;
    expect(hit!.headers['x-hyperplane-signature']).toBe(expected);
    expect(verifySignature('s3cret', hit!.body, hit!.headers['x-hyperplane-signature'] as string)).toBe(true);
    expect(verifySignature('wrong', hit!.body, hit!.headers['x-hyperplane-signature'] as string)).toBe(false);
    const body = JSON.parse(hit!.body) as AlertNotification & { sentAt: string };
    expect(body.key).toBe('alert-1:firing');
    expect(body.alert.model).toBe('churn');
    expect(body.evidence).toEqual({ share_drifted: 0.45, columns: ['tenure', 'plan'] });
    expect(Number.isFinite(Date.parse(body.sentAt))).toBe(true);
    expect(sender.stats).toMatchObject({ sent: 1, failed: 0, retrying: 0, dropped: 0, queued: 0, inFlight: 0 });
  });

  it('sends no signature header without a secret', async () => {
    const r = await receiver(ok);
    const sender = new WebhookSender({ retry: FAST });
    sender.send({ name: 'open', url: r.url }, notification());
    await sender.drain(2000);
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]!.headers['x-hyperplane-signature']).toBeUndefined();
  });

  it('retries a receiver that fails twice (503), delivers once, and does not re-send a delivered key', async () => {
    const stored = new Set<string>();
    const r = await receiver((hit, i) => {
      if (i < 2) return status(503)(hit);
      stored.add(hit.headers['x-hyperplane-delivery'] as string);
      ok(hit);
    });
    const hook = { name: 'flaky', url: r.url };
    const sender = new WebhookSender({ retry: FAST });
    sender.send(hook, notification());
    await sender.drain(3000);

    expect(r.hits).toHaveLength(3);
    expect(r.hits.map((h) => h.headers['x-hyperplane-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(r.hits.map((h) => h.headers['x-hyperplane-delivery']))).toEqual(new Set(['alert-1:firing']));
    expect([...stored]).toEqual(['alert-1:firing']);
    expect(sender.stats).toMatchObject({ sent: 1, failed: 0, retrying: 0 });

    // The same alert state evaluated again later: already delivered, not sent.
    sender.send(hook, notification());
    await sender.drain(1000);
    expect(r.hits).toHaveLength(3);
    expect(sender.stats.duplicates).toBe(1);
    // Its resolution is another key, so it goes.
    sender.send(hook, { ...notification('alert-1:resolved'), event: 'resolved' });
    await sender.drain(1000);
    expect(r.hits).toHaveLength(4);
    expect(r.hits[3]!.headers['x-hyperplane-event']).toBe('resolved');
  });

  it('does not retry a 4xx other than 408/429, and reports it given up', async () => {
    const r = await receiver(status(400));
    const givenUp: string[] = [];
    const sender = new WebhookSender({ retry: FAST, onGiveUp: (_h, n, reason) => givenUp.push(`${n.key} ${reason}`) });
    sender.send({ name: 'strict', url: r.url }, notification());
    await sender.drain(2000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // time enough for a wrong retry to show up
    expect(r.hits).toHaveLength(1);
    expect(sender.stats).toMatchObject({ sent: 0, failed: 1, retrying: 0 });
    expect(givenUp).toEqual(['alert-1:firing strict: HTTP 400 after 1 attempt(s)']);
  });

  it('retries network errors and gives up after maxAttempts on a receiver that stays down', async () => {
    const r = await receiver(ok);
    await r.close(); // nothing listens on the port now: connection refused
    const attempts: string[] = [];
    const sender = new WebhookSender({ retry: { ...FAST, maxAttempts: 3 }, onGiveUp: (_h, _n, reason) => attempts.push(reason) });
    sender.send({ name: 'down', url: r.url }, notification());
    await sender.drain(3000);
    expect(sender.stats).toMatchObject({ sent: 0, failed: 1, retrying: 0 });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatch(/^down: .*ECONNREFUSED.* after 3 attempt\(s\)$/);
  });

  it('waits as long as Retry-After says, not the (much shorter) backoff', async () => {
    const r = await receiver((hit, i) => (i === 0 ? status(429, { 'retry-after': '1' })(hit) : ok(hit)));
    const sender = new WebhookSender({ retry: { ...FAST, baseDelayMs: 10 } });
    sender.send({ name: 'busy', url: r.url }, notification());
    await sender.drain(4000);
    expect(r.hits).toHaveLength(2);
    expect(r.hits[1]!.at - r.hits[0]!.at).toBeGreaterThanOrEqual(950);
    expect(sender.stats.sent).toBe(1);
  });

  it('never holds up the caller: send returns synchronously while the receiver hangs; the attempt times out and is retried', async () => {
    // The first request is left hanging (never answered); the second is answered.
    const r = await receiver((hit, i) => (i === 0 ? undefined : ok(hit)));
    const sender = new WebhookSender({ timeoutMs: 200, retry: FAST });
    const returned: unknown = sender.send({ name: 'slow', url: r.url }, notification());
    expect(returned).toBeUndefined();
    expect(returned instanceof Promise).toBe(false);

    // The caller's event loop keeps turning while the request hangs.
    let ticks = 0;
    let spinning = true;
    const spin = (): void => {
      ticks++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    while (r.hits.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const atHang = ticks;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.hits).toHaveLength(1); // still hanging, not yet timed out
    expect(sender.stats.inFlight).toBe(1);
    expect(ticks - atHang).toBeGreaterThan(10);
    spinning = false;

    await sender.drain(3000);
    expect(r.hits).toHaveLength(2);
    expect(r.hits[1]!.headers['x-hyperplane-attempt']).toBe('2');
    expect(sender.stats).toMatchObject({ sent: 1, failed: 0, inFlight: 0 });
  });

  it('bounds the queue: when full the oldest is dropped and counted', async () => {
    const r = await receiver(ok);
    const sender = new WebhookSender({ maxQueue: 3, concurrency: 1, retry: FAST });
    const hook = { name: 'ops', url: r.url };
    // All five are queued before the pump's first turn, so two must go.
    for (let i = 0; i < 5; i++) sender.send(hook, notification(`a${i}:firing`));
    expect(sender.stats).toMatchObject({ queued: 3, dropped: 2 });
    await sender.drain(3000);
    expect(r.hits.map((h) => h.headers['x-hyperplane-delivery'])).toEqual(['a2:firing', 'a3:firing', 'a4:firing']);
    expect(sender.stats).toMatchObject({ sent: 3, dropped: 2, queued: 0 });
  });

  it('dedupes per webhook: one key goes to each receiver, and a pending key is not queued twice', async () => {
    const a = await receiver(ok);
    const b = await receiver(ok);
    const sender = new WebhookSender({ retry: FAST });
    sender.send({ name: 'a', url: a.url }, notification());
    sender.send({ name: 'a', url: a.url }, notification());
    sender.send({ name: 'b', url: b.url }, notification());
    await sender.drain(2000);
    expect([a.hits.length, b.hits.length]).toEqual([1, 1]);
    expect(sender.stats).toMatchObject({ sent: 2, duplicates: 1 });
  });

  it('drain gives up at its timeout while a receiver stays down', async () => {
    const r = await receiver(status(503));
    const sender = new WebhookSender({ retry: { ...FAST, baseDelayMs: 10_000, maxDelayMs: 10_000, deadlineMs: 60_000 } });
    sender.send({ name: 'down', url: r.url }, notification());
    const started = Date.now();
    await sender.drain(300);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sender.stats).toMatchObject({ sent: 0, retrying: 1 });
  });
});

describe('retry policy', () => {
  it('reads Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
  });

  it('doubles the backoff up to the cap, jittered within its upper half', () => {
    const p = { ...DEFAULT_RETRY, baseDelayMs: 500, maxDelayMs: 4000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(p, a, () => 1))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect([1, 2, 3].map((a) => backoffMs(p, a, () => 0))).toEqual([250, 500, 1000]);
  });

  it('stops at maxAttempts, at the deadline, and at a Retry-After longer than allowed', () => {
    const p = { ...DEFAULT_RETRY, maxAttempts: 3, deadlineMs: 10_000, maxRetryAfterMs: 60_000 };
    expect(nextAttemptAt(p, 1, {}, 0, 0, () => 1)).toBe(500);
    expect(nextAttemptAt(p, 3, {}, 0, 0)).toBeUndefined();
    expect(nextAttemptAt(p, 1, {}, 0, 9_900, () => 1)).toBeUndefined();
    expect(nextAttemptAt(p, 1, { retryAfterMs: 120_000 }, 0, 0)).toBeUndefined();
    expect(nextAttemptAt(p, 1, { retryAfterMs: 2000 }, 0, 0)).toBe(2000);
  });
});
