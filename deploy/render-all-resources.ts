// Writes deploy/all-resources.yaml, the kubectl manifest, from the Helm chart with its defaults
// (`npm run manifest`); test/deploy/all-resources.test.ts fails when the file is stale.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHART = fileURLToPath(new URL('./helm/amazon-ec2-metadata-mock', import.meta.url));
const OUT = fileURLToPath(new URL('./all-resources.yaml', import.meta.url));
const HEADER =
  '# Rendered from deploy/helm/amazon-ec2-metadata-mock with its defaults by `npm run manifest`; do not edit.\n# kubectl apply -f deploy/all-resources.yaml\n';

/** The manifest's text: the chart rendered with its defaults in the default namespace, without test hooks. */
export function renderAllResources(helm: string): string {
  const result = spawnSync(helm, ['template', 'amazon-ec2-metadata-mock', CHART, '--namespace', 'default', '--skip-tests'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr.trim()}`);
  return HEADER + result.stdout;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cached = join(process.env.GO_TOOLS_BIN ?? join(homedir(), '.cache', 'aemm-tools', 'bin'), 'helm');
  const helm = existsSync(cached) ? cached : 'helm';
  try {
    const text = renderAllResources(helm);
    writeFileSync(`${OUT}.tmp`, text);
    renameSync(`${OUT}.tmp`, OUT);
    console.log(`wrote ${OUT}`);
  } catch (error) {
    console.error(
      `Error: ${(error as Error).message} (install helm: GOBIN=~/.cache/aemm-tools/bin go install helm.sh/helm/v3/cmd/helm@v3.17.3)`,
    );
    process.exitCode = 1;
  }
}
