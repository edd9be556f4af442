// The command-line half of the AEMM v1.12.0 differential table (see test/aemm/differential/).
import { defineDifferentialTest } from './differential/run-differential.js';

defineDifferentialTest('cli', 70);
