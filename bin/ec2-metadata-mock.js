#!/usr/bin/env node
// The AEMM drop-in: `ec2-metadata-mock` with amazon-ec2-metadata-mock v1.12's flags, env and output.
import { runAemm } from '../dist/aemm/run-aemm.js';

process.exitCode = await runAemm(process.argv.slice(2));
