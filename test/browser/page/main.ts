// The page the browser test loads: it starts the msw service worker with aemm's handlers, asks
// IMDS a few things the way browser code would (fetch), and shows the answers in the DOM.
import { setupWorker } from 'msw/browser';
import { defaultCassette, imdsHandlers } from '../../../src/msw/index.js';

const IMDS = 'http://169.254.169.254';

function show(id: string, value: string | number | null): void {
  const list = document.getElementById('results')!;
  const term = document.createElement('dt');
  term.textContent = id;
  const detail = document.createElement('dd');
  detail.id = id;
  detail.textContent = String(value);
  list.append(term, detail);
}

async function run(): Promise<void> {
  const imds = imdsHandlers({ cassette: defaultCassette });
  const worker = setupWorker(...imds.handlers);
  await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, onUnhandledRequest: 'error', quiet: true });

  const v1 = await fetch(`${IMDS}/latest/meta-data/instance-id`);
  show('v1-status', v1.status);
  show('v1-instance-id', await v1.text());
  show('v1-server', v1.headers.get('server'));

  const put = await fetch(`${IMDS}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '300' } });
  const token = await put.text();
  show('token-status', put.status);
  show('token-length', token.length);
  show('token-ttl', put.headers.get('x-aws-ec2-metadata-token-ttl-seconds'));

  const v2 = await fetch(`${IMDS}/latest/meta-data/placement/region`, { headers: { 'x-aws-ec2-metadata-token': token } });
  show('v2-status', v2.status);
  show('v2-region', await v2.text());

  const listing = await fetch(`${IMDS}/latest/meta-data/iam/`, { headers: { 'x-aws-ec2-metadata-token': token } });
  show('listing', await listing.text());

  imds.control.setTokenMode('required');
  show('required-tokenless-status', (await fetch(`${IMDS}/latest/meta-data/instance-id`)).status);
  show(
    'required-token-status',
    (await fetch(`${IMDS}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': token } })).status,
  );
}

const state = document.getElementById('state')!;
run().then(
  () => {
    state.textContent = 'done';
  },
  (error: unknown) => {
    state.textContent = `failed: ${String(error)}`;
  },
);
