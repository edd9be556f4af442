// The single-executable entry of `ec2-metadata-mock`.
import './prepare-sea.js';
import { runAemm } from '../aemm/run-aemm.js';

void runAemm(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
