import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderAllResources } from '../../deploy/render-all-resources.js';
import { findGoTool, HELM } from '../helpers/go-tool.js';

const helm = findGoTool(HELM);

test(
  'deploy/all-resources.yaml is the chart rendered with its defaults (npm run manifest)',
  { skip: 'missing' in helm && !process.env.CI ? `skipped: ${(helm as { missing: string }).missing}` : false },
  async () => {
    if ('missing' in helm) assert.fail(helm.missing);
    const committed = await readFile(new URL('../../deploy/all-resources.yaml', import.meta.url), 'utf8');
    assert.ok(committed === renderAllResources(helm.path), 'deploy/all-resources.yaml is stale: run npm run manifest and commit it');
    assert.match(committed, /kind: Deployment/);
  },
);
