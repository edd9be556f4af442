import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A Go program the tests run as an oracle or a tool, installed with `go install` into a cache outside the repo. */
export interface GoTool {
  /** The binary's name in GOBIN. */
  binary: string;
  /** The `go install` argument, `module/path@version`. */
  module: string;
}

/** AEMM v1.12.0; its main package is the module's `cmd` folder, so the binary is named `cmd`. */
export const AEMM_ORACLE: GoTool = { binary: 'cmd', module: 'github.com/aws/amazon-ec2-metadata-mock/cmd@v1.12.0' };

/** Helm v3, built from its module like AEMM. */
export const HELM: GoTool = { binary: 'helm', module: 'helm.sh/helm/v3/cmd/helm@v3.17.3' };

/** Where the tools live: `$GO_TOOLS_BIN`, else `~/.cache/aemm-tools/bin` (shared by every clone, so each is built once). */
export const GO_TOOLS_BIN = process.env.GO_TOOLS_BIN ?? join(homedir(), '.cache', 'aemm-tools', 'bin');

/** Why a tool cannot be had, or its path: builds it with `go install` the first time. */
export function findGoTool(tool: GoTool): { path: string } | { missing: string } {
  const path = join(GO_TOOLS_BIN, tool.binary);
  if (existsSync(path)) return { path };
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0)
    return { missing: `Go is not installed, so ${tool.module} cannot be built (install Go, or put the binary in ${GO_TOOLS_BIN})` };
  mkdirSync(GO_TOOLS_BIN, { recursive: true });
  const built = spawnSync('go', ['install', tool.module], {
    encoding: 'utf8',
    env: { ...process.env, GOBIN: GO_TOOLS_BIN },
    timeout: 900_000,
  });
  if (built.status !== 0 || !existsSync(path))
    return { missing: `go install ${tool.module} failed: ${(built.stderr || String(built.error)).trim().split('\n').at(-1)}` };
  return { path };
}
