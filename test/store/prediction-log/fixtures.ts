import type { EncodedPrediction } from '../../../src/store/index.js';

export const prediction = (id: string, timestamp = 1_700_000_000_000): EncodedPrediction => ({
  id,
  model: 'churn',
  version: 1,
  timestamp,
  requestJson: `{"tenure":12,"plan":"basic \u00e9"}`,
  responseJson: '{"prediction":"yes"}',
  latencyMs: 0.5,
});

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
