import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import { runCli, startCliServer } from '../helpers/run-cli.js';

const RECORDINGS = fileURLToPath(new URL('../../recordings/', import.meta.url));

describe('shipped recordings by name', { concurrency: true }, () => {
  test('aemm recordings lists every file in recordings/ with its type, region and what is special', async () => {
    const result = await runCli(['recordings']);
    assert.equal(result.code, 0, result.stderr);
    const names = readdirSync(RECORDINGS)
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.replace(/\.json$/, ''));
    for (const name of names) assert.match(result.stdout, new RegExp(`^${name} `, 'm'));
    assert.match(
      result.stdout,
      /^m7g-large +m7g\.large +eu-west-1 +arm64, on-demand, instance profile, 3 tags, 2 ENIs, IPv6, partition placement group, user-data, synthetic$/m,
    );
    assert.match(
      result.stdout,
      /^t3-spot-interrupted +t3\.medium +ap-southeast-2 +x86_64, spot, .*rebalance recommendation, spot notice \(terminate\), synthetic$/m,
    );
    assert.match(result.stdout, /^p5-48xlarge .*32 ENIs, 32 network cards, placement group, .*scheduled event/m);
    assert.match(result.stdout, /A name works wherever a cassette file does/);
  });

  test('aemm replay m7i-large serves that recording', async () => {
    const server = await startCliServer(['replay', 'm7i-large', '--port', '0', '--quiet']);
    try {
      assert.equal((await send(server.url, '/latest/meta-data/instance-type')).text, 'm7i.large');
      assert.match(server.output(), /serving m7i-large \(shipped\) \(m7i\.large, eu-west-1/);
    } finally {
      await server.stop();
    }
  });

  test('aemm diff m7i-large m7g-large compares the two shipped recordings', async () => {
    const result = await runCli(['diff', 'm7i-large', 'm7g-large', '--stat']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '0 added, 0 removed, 4 changed in 4 categories\n');
  });

  test('aemm inspect default (and a name with .json) inspects the shipped recording', async () => {
    for (const name of ['default', 'default.json']) {
      const result = await runCli(['inspect', name, '--depth', '0']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^default \(shipped\) {2}\(synthetic\)\n {2}instance +m5\.large \(x86_64\)/);
    }
  });

  test('a name that is not shipped says where the shipped recordings are and lists them', async () => {
    const result = await runCli(['replay', 'm9-huge', '--port', '0']);
    assert.equal(result.code, 2);
    const dir = RECORDINGS.replace(/\/$/, '');
    assert.equal(
      result.stderr,
      `Error: Failed to load cassette "m9-huge": the file does not exist. Give a cassette path, or the name of a shipped recording (aemm-defaults, default, m7g-large, m7i-large, p5-48xlarge, t3-spot-interrupted) from ${dir}; "aemm recordings" lists them.\n`,
    );
  });
});
