// Loaded by test/run.js into every test file's process (with --import): when the file's process
// ends, it appends the file's wall time and CPU time (its own and its children's) to the file named
// by TEST_FILE_TIMES. run.js keeps the times to start the slowest files first next run.
import { appendFileSync, readFileSync } from 'node:fs';

/** CPU seconds of this process and of the children it waited for, from /proc (Linux), else its own. */
function readCpuSeconds() {
  try {
    // Fields after the command name: utime, stime, cutime, cstime are the 12th to 15th, in ticks.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
}

const times = process.env.TEST_FILE_TIMES;
// Only a test file's own process (the runner's child) reports; the runner itself does not.
if (times && process.env.NODE_TEST_CONTEXT && process.argv[1]) {
  process.on('exit', () => {
    appendFileSync(times, `${JSON.stringify({ file: process.argv[1], ms: Math.round(performance.now()), cpu: readCpuSeconds() })}\n`);
  });
}
