// One measured run of Hyperplane's random forest in a fresh process. Prints JSON.
//   node bench/forest-ours.mjs TRAIN.csv TEST.csv ['{"n_estimators": 100}']
import { runBinary } from './lib.mjs';

const [train, test, extra] = process.argv.slice(2);
await runBinary('forest', train, test, { n_estimators: 100, ...(extra ? JSON.parse(extra) : {}) });
