// Forked by a single `hyperplane serve` process: sends copies of its listening socket back, then exits
// once the server lets go of the channel (see listener-copies.ts).
import { answerAsks } from './listener-copies.js';

answerAsks();
