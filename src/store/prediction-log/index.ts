/**
 * The prediction journal (issue 18): a serving process appends each event-loop turn's predictions to
 * its own journal with one synchronous write before that turn's answers go out (answered ⇒ journaled,
 * even under kill -9), and a shipper loads closed segments into the store's prediction log in bulk,
 * idempotently (ids are primary keys), deleting each once stored.
 *
 * Server use, per turn: `journal.full()` before answering (503 when the store has been down long enough
 * to fill `maxBytes`), `journal.add(record)` per prediction, `journal.commit()` once, then write the
 * answers. At start: `new ShipperThread({ uri, root })` (ships this process's segments and adopts dead
 * processes' directories under a lock). At shutdown: `journal.close()`, then `await thread.stop()`.
 * Layout on disk: see segment-files.ts; the segment format: record-format.ts.
 */
export { JournalLookup } from './find.js';
export { journalRoot, shipLeftovers } from './leftovers.js';
export { Journal, type JournalOptions, type JournalStats } from './journal.js';
export { Shipper, type ShipperOptions, type ShipperStats } from './shipper.js';
export { sweep, type RetentionOptions, type RetentionStats } from './retention.js';
export { ShipperThread, type ShipperThreadOptions } from './shipper-handle.js';
export { encodeRecords, readSegment, SEGMENT_VERSION, type SegmentContents, type SegmentHeader } from './record-format.js';
