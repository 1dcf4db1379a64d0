export { Journal, type JournalOptions, type JournalStats } from './journal.js';
export { Shipper, type ShipperOptions, type ShipperStats } from './shipper.js';
export { ShipperThread, type ShipperThreadOptions } from './shipper-handle.js';
export { encodeRecords, readSegment, SEGMENT_VERSION, type SegmentContents, type SegmentHeader } from './record-format.js';
