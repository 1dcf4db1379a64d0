import { describe, expect, it } from 'vitest';
import { trialJobId } from '../../src/queue/jobs.js';
import { chosenQueue, parseQueueUrl } from '../../src/queue/url.js';

describe('queue URLs and job ids', () => {
  it('reads redis://HOST:PORT[/DB] with optional credentials, and names the URL without them', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6379')).toEqual({ url: 'redis://127.0.0.1:6379', host: '127.0.0.1', port: 6379, db: 0 });
    expect(parseQueueUrl('redis://queue.internal')).toMatchObject({ host: 'queue.internal', port: 6379 });
    expect(parseQueueUrl('redis://app:s%40cret@10.0.0.5:6380/2')).toEqual({ url: 'redis://10.0.0.5:6380/2', host: '10.0.0.5', port: 6380, db: 2, username: 'app', password: 's@cret' });
  });

  it('refuses anything else, naming where it came from and the form expected', () => {
    for (const bad of ['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis://', 'redis://h:6379/x']) expect(() => parseQueueUrl(bad)).toThrow(/^--queue '.*': expected redis:\/\/HOST:PORT/);
    const saved = process.env['HYPERPLANE_QUEUE'];
    process.env['HYPERPLANE_QUEUE'] = 'localhost';
    try {
      expect(() => chosenQueue(undefined)).toThrow(/^\$HYPERPLANE_QUEUE 'localhost': expected redis:\/\/HOST:PORT/);
      expect(chosenQueue('redis://a:1')?.url).toBe('redis://a:1');
    } finally {
      if (saved === undefined) delete process.env['HYPERPLANE_QUEUE'];
      else process.env['HYPERPLANE_QUEUE'] = saved;
    }
  });

  it('gives a trial the same job id for the same search, index, budget and seed, with no colon (BullMQ refuses one)', () => {
    expect(trialJobId('abc', 3, 90, 7)).toBe(trialJobId('abc', 3, 90, 7));
    expect(new Set([trialJobId('abc', 3, 90, 7), trialJobId('abc', 3, 270, 7), trialJobId('abc', 4, 90, 7), trialJobId('abc', 3, 90, 8), trialJobId('abd', 3, 90, 7), trialJobId('abc', 3, null, 7)]).size).toBe(6);
    expect(trialJobId('abc', 3, null, 7)).not.toContain(':');
  });
});
