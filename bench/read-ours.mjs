// One measured run of Hyperplane's reader in a fresh process, so peak RSS is this run's alone.
// Prints JSON: load (read + type inference + fingerprint) and profile wall times, and peak RSS.
import { loadData } from '../dist/data/load.js';
import { profileTable } from '../dist/data/profile/profile.js';

const [path, target] = process.argv.slice(2);
const t0 = performance.now();
const data = await loadData(path);
const t1 = performance.now();
const rssAfterLoad = process.resourceUsage().maxRSS * 1024;
profileTable(data.table, data.schema, target);
const t2 = performance.now();
console.log(
  JSON.stringify({
    rows: data.table.nRows,
    columns: data.table.columns.length,
    loadMs: t1 - t0,
    profileMs: t2 - t1,
    loadPeakRss: rssAfterLoad,
    peakRss: process.resourceUsage().maxRSS * 1024,
    fingerprint: data.fingerprint,
  }),
);
