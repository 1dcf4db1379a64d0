import { parentPort, workerData } from 'node:worker_threads';
import { crossValidation } from './cross-validate.js';
import { serveRequests } from './thread-pool.js';
import type { TrialRequest, TrialThreadSetup } from './trial-pool.js';

/** A search's trial thread: scores the trials it is sent, one at a time, on its copy of the data. */
const setup = workerData as TrialThreadSetup;
let cv: ReturnType<typeof crossValidation> | undefined;
serveRequests<TrialRequest, number>(parentPort!, async (request) => {
  cv ??= crossValidation(setup.data, setup.options);
  return cv.score(request.candidate);
});
