// One measured run of Hyperplane's GBDT in a fresh process: fit on a CSV, AUC on a test CSV. Prints JSON.
//   node bench/gbdt-ours.mjs TRAIN.csv TEST.csv ['{"n_estimators": 100}']
import { runBinary } from './lib.mjs';

const [train, test, extra] = process.argv.slice(2);
await runBinary('gbdt', train, test, { n_estimators: 100, num_leaves: 31, learning_rate: 0.1, max_bin: 255, ...(extra ? JSON.parse(extra) : {}) });
