import { shipFold } from '../../monitor/ship-fold.js';
import { packageReferences } from '../../pipeline/monitor-references.js';
import type { Store } from '../../store/index.js';
import type { ShipFold } from '../../store/prediction-log/shipper.js';

/**
 * What the shipper thread loads (by URL: the store layer does not import the monitor) to fold shipped
 * predictions into the monitor's window aggregates, references read from the packages in the store.
 */
export function createShipFold(store: Store): ShipFold {
  return shipFold(store.monitorWindows, packageReferences(store, { cachedOnly: true }));
}
