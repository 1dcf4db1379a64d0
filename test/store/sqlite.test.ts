import { sqliteHarness } from './harness.js';
import { describeArtifacts, describeStore } from './store-suite.js';

describeStore(sqliteHarness());
describeArtifacts(sqliteHarness({ artifacts: 'database' }));
