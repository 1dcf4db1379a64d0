import { parentPort, workerData } from 'node:worker_threads';
import { crossValidation } from './cross-validate.js';
import { sendError, type TrialReply, type TrialRequest, type TrialThreadSetup } from './trial-pool.js';

/** A search's trial thread: scores the trials it is sent, one at a time, on its copy of the data. */
const setup = workerData as TrialThreadSetup;
let cv: ReturnType<typeof crossValidation> | undefined;
parentPort!.on('message', (request: TrialRequest) => {
  void (async (): Promise<TrialReply> => {
    try {
      cv ??= crossValidation(setup.data, setup.options);
      return { id: request.id, score: await cv.score(request.candidate) };
    } catch (e) {
      return { id: request.id, error: sendError(e) };
    }
  })().then((reply) => parentPort!.postMessage(reply));
});
