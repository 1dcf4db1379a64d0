import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import type { StoreHarness } from './harness.js';
import { alertCases } from './suite/alerts.js';
import { artifactCases } from './suite/artifacts.js';
import { auditCases } from './suite/audit.js';
import type { SuiteContext } from './suite/context.js';
import { listingCases } from './suite/listing.js';
import { monitorWindowCases } from './suite/monitor-windows.js';
import { registryCases } from './suite/registry.js';
import { predictionBatchCases } from './suite/prediction-batches.js';
import { craftedCursorCases, servingCases } from './suite/serving.js';
import { trackingCases } from './suite/tracking.js';

/**
 * The conformance suite every Store implementation passes: the same cases on each database, only
 * the connection differs. Each case gets a fresh, empty store.
 */
export function describeStore(harness: StoreHarness): void {
  describe(`store on ${harness.name}`, () => {
    const ctx = withFreshStore(harness);
    describe('tracking', () => trackingCases(ctx));
    describe('listing', () => listingCases(ctx));
    describe('registry', () => registryCases(ctx));
    describe('artifacts', () => artifactCases(ctx));
    describe('serving tables', () => servingCases(ctx));
    describe('prediction batches', () => predictionBatchCases(ctx));
    describe('crafted cursors', () => craftedCursorCases(ctx));
    describe('audit trail and key expiry', () => auditCases(ctx));
    describe('alerts', () => alertCases(ctx));
    describe('monitor windows and leases', () => monitorWindowCases(ctx));
  });
}

/** Only the artifact and gc cases: for a second artifact backend on the same database. */
export function describeArtifacts(harness: StoreHarness): void {
  describe(`artifacts on ${harness.name}`, () => artifactCases(withFreshStore(harness)));
}

function withFreshStore(harness: StoreHarness): SuiteContext {
  const ctx = {} as SuiteContext;
  beforeEach(async () => {
    ctx.spot = await harness.fresh();
    ctx.store = await ctx.spot.open();
  });
  afterEach(async () => {
    await ctx.store.close();
  });
  afterAll(() => harness.dispose());
  return ctx;
}
