/**
 * The differential table: what both AEMM v1.12.0 and our drop-in are started with, and what is
 * sent to each. `{home}` in arguments and env values becomes each side's own HOME folder.
 */

/** One request sent to both sides: an ordinary one, raw bytes, or a pause (AEMM has no fake clock). */
export type Step =
  | { name: string; method?: string; path: string; headers?: Record<string, string>; body?: string; saveToken?: string; useToken?: string }
  | { name: string; raw: string }
  | { name: string; sleepMs: number };

/** Both sides serving with the same arguments, env and files; `crawl` adds a GET (and a trailing-slash GET) for every path AEMM lists. */
export interface ServeCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Files written into each side's HOME before it starts (name → content; objects become JSON). */
  files?: Record<string, unknown>;
  steps: Step[];
  crawl?: boolean;
}

/** Both sides run to their end (or are stopped after a few seconds) with the same arguments: output and exit code compared. */
export interface ExitCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
  files?: Record<string, unknown>;
  /** Files read back from each side's HOME after the run (what `-s` saved). */
  readBack?: string[];
}

const META = '/latest/meta-data';
const SPOT = `${META}/spot/instance-action`;
const TERMINATION = `${META}/spot/termination-time`;
const REBALANCE = `${META}/events/recommendations/rebalance`;
const EVENTS = `${META}/events/maintenance/scheduled`;
const ASG = `${META}/autoscaling/target-lifecycle-state`;
const TOKEN = '/latest/api/token';
const TTL = 'X-aws-ec2-metadata-token-ttl-seconds';

const get = (path: string, extra: Partial<Extract<Step, { path: string }>> = {}): Step => ({
  name: `GET ${path}${extra.useToken ? ` (token ${extra.useToken})` : ''}`,
  path,
  ...extra,
});
const put = (
  ttl: string | undefined,
  name = `PUT token ttl=${ttl ?? '(none)'}`,
  extra: Partial<Extract<Step, { path: string }>> = {},
): Step => ({
  name,
  method: 'PUT',
  path: TOKEN,
  headers: ttl === undefined ? {} : { [TTL]: ttl },
  ...extra,
});
const raw = (name: string, text: string): Step => ({ name, raw: text });
const pause = (ms: number): Step => ({ name: `wait ${ms} ms`, sleepMs: ms });

const NOTICES = [
  get(SPOT),
  get(TERMINATION),
  get(REBALANCE),
  get(EVENTS),
  get(ASG),
  get(`${META}/spot`),
  get(`${META}/events`),
  get(`${META}/autoscaling`),
  get(META),
];

/** Requests about tokens and methods, sent without --imdsv2 (where tokens are optional). */
const TOKEN_STEPS: Step[] = [
  ...['0', '1', '21600', '21601', '-1', 'abc', '', ' 60', '60.5', '+60', '0x10', '0060', '99999999999999999999'].map((ttl) => put(ttl)),
  put(undefined),
  put('60', 'PUT token with X-Forwarded-For', { headers: { [TTL]: '60', 'X-Forwarded-For': '10.0.0.1' } }),
  put('60', 'PUT token ttl=60 (saved)', { saveToken: 'ok' }),
  get(`${META}/instance-id`, { useToken: 'ok' }),
  get(`${META}/instance-id`, { name: 'GET instance-id with a garbage token', headers: { 'X-aws-ec2-metadata-token': 'garbage' } }),
  get(TOKEN, { name: 'GET on the token path' }),
  { name: 'PUT on a metadata path', method: 'PUT', path: `${META}/instance-id`, headers: { [TTL]: '60' } },
  { name: 'POST on a metadata path', method: 'POST', path: `${META}/instance-id`, body: 'x' },
  { name: 'DELETE on a metadata path', method: 'DELETE', path: `${META}/instance-id` },
  { name: 'PUT token on a dated path', method: 'PUT', path: '/2021-03-23/api/token', headers: { [TTL]: '60' } },
  { name: 'PUT token with a trailing slash', method: 'PUT', path: `${TOKEN}/`, headers: { [TTL]: '60' } },
];

/** Paths that are not in the tree, odd spellings, and requests a parser must reject. */
const ODD_STEPS: Step[] = [
  get('/'),
  get('/latest'),
  get('/latest/'),
  get('/latest/dynamic'),
  get('/latest/dynamic/'),
  get('/latest/user-data'),
  get('/latest/user-data/'),
  get(`${META}/nope`),
  get('/nope'),
  get('/2021-03-23/meta-data/instance-id'),
  get('/1.0/meta-data/'),
  get(`${META}/instance-id?x=1`),
  get(`${META}/instance%2Did`),
  get(`${META}/%zz`),
  get(`${META}/instance-id%`),
  get(`${META}%2Finstance-id`),
  get(`${META}/../meta-data/ami-id`),
  get(`${META}/./ami-id`),
  get(`${META}//ami-id`),
  get('//latest/meta-data/instance-id'),
  get(`${META}/instance-id//`),
  get(`${META}/INSTANCE-ID`),
  get(`${META}/placement`),
  get(`${META}/placement/`),
  get(`${META}/iam/security-credentials`),
  get(`${META}/iam/security-credentials/`),
  get(`${META}/iam/security-credentials/nope`),
  get(`${META}/network/interfaces/macs/`),
  get(`${META}/tags/instance/`),
  get(`${META}/public-keys/0/`),
  get(`${META}/instance`),
  get(`${META}/ami`),
  get(`${META}/spot/x`),
  { name: 'HEAD instance-id', method: 'HEAD', path: `${META}/instance-id` },
  raw('header line without a colon', `GET ${META}/instance-id HTTP/1.1\r\nHost: 127.0.0.1\r\nBad header\r\n\r\n`),
  raw('space before a header colon', `GET ${META}/instance-id HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n`),
  raw('request line with two words', `GET ${META}/instance-id\r\nHost: 127.0.0.1\r\n\r\n`),
  raw('unknown HTTP version', `GET ${META}/instance-id HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n`),
  raw('HTTP/1.1 without Host', `GET ${META}/instance-id HTTP/1.1\r\n\r\n`),
  raw('HTTP/1.0 without Host', `GET ${META}/instance-id HTTP/1.0\r\n\r\n`),
  raw('absolute URI in the request line', `GET http://127.0.0.1${META}/instance-id HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
  raw(
    'two Content-Length headers',
    `POST ${META}/instance-id HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx`,
  ),
  raw('a bad Content-Length', `POST ${META}/instance-id HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n`),
  raw('a control character in the path', `GET ${META}/inst\x01ance-id HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
  raw('a lower-case method', `get ${META}/instance-id HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`),
  raw('bare LF line ends', `GET ${META}/instance-id HTTP/1.1\nHost: 127.0.0.1\n\n`),
  raw('an asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
];

const IMDSV2_STEPS: Step[] = [
  get(`${META}/instance-id`),
  get(META),
  get('/latest'),
  get('/'),
  get(`${META}/placement`),
  get(`${META}/nope`),
  get('/latest/dynamic/instance-identity/document'),
  get(SPOT),
  get('/latest/user-data'),
  get(`${META}/instance-id`, { name: 'GET with a garbage token', headers: { 'X-aws-ec2-metadata-token': 'garbage' } }),
  get(`${META}/instance-id`, { name: 'GET with an empty token', headers: { 'X-aws-ec2-metadata-token': '' } }),
  put('21600', 'PUT token ttl=21600 (saved)', { saveToken: 'long' }),
  put('1', 'PUT token ttl=1 (saved)', { saveToken: 'short' }),
  put('0'),
  put('21601'),
  put(undefined),
  get(`${META}/instance-id`, { useToken: 'long' }),
  get(META, { useToken: 'long' }),
  get(SPOT, { useToken: 'long' }),
  get(`${META}/placement/`, { useToken: 'long' }),
  get('/latest/user-data', { useToken: 'long' }),
  get(`${META}/instance-id`, { useToken: 'short' }),
  pause(2100),
  get(`${META}/instance-id`, { name: 'GET with an expired token', useToken: 'short' }),
  get(`${META}/instance-id`, { name: 'GET with a live token after the wait', useToken: 'long' }),
];

const CONFIG = {
  metadata: {
    values: {
      'instance-id': 'i-0fromconfig00000',
      'ami-launch-index': 3,
      // Not public-ipv4 too: with both, AEMM rewrites the paths in Go map order and the result varies from run to run.
      mac: '0e:00:00:00:00:aa',
      'iam-security-credentials-role': 'config-role',
      'instance-type': null,
      'placement-partition-number': true,
    },
    paths: { 'instance-type': '/latest/meta-data/kind' },
  },
  dynamic: {
    values: {
      'instance-identity-document': {
        marketplaceProductCodes: ['4i20ezfza3p7xx2kt2g8weu2u'],
        billingProducts: 'bp-6ba54002',
        devpayProductCodes: null,
        version: '2017-09-30',
        architecture: 'arm64',
        pendingTime: 7,
        kernelId: null,
      },
    },
  },
  userdata: { values: { userdata: 'aGVsbG8K' } },
  spot: { action: 'hibernate', time: '2020-01-07T01:03:47Z' },
  events: { code: 'instance-retirement', state: 'completed', 'not-before': '2020-01-01T00:00:00Z' },
  imdsv2: false,
  'mock-delay-sec': 0,
  'mock-ip-count': 5,
};

const CONFIG_STEPS: Step[] = [
  get(`${META}/instance-id`),
  get(`${META}/ami-launch-index`),
  get(`${META}/mac`),
  get(`${META}/public-ipv4`),
  get(`${META}/instance-type`),
  get(`${META}/kind`),
  get(`${META}/placement/partition-number`),
  get(META),
  get('/latest/dynamic/instance-identity/document'),
  get('/latest/user-data'),
  get(`${META}/iam/security-credentials`),
  get(`${META}/iam/security-credentials/config-role`),
  get(`${META}/iam/security-credentials/baskinc-role`),
  get(`${META}/network/interfaces/macs`),
  get(`${META}/network/interfaces/macs/0e:00:00:00:00:aa/mac`),
  get(`${META}/network/interfaces/macs/0e:00:00:00:00:aa/ipv4-associations/192.0.2.54`),
  ...NOTICES,
];

/** The servers compared. */
export const SERVE_CASES: ServeCase[] = [
  { name: 'default tree', args: [], crawl: true, steps: [...NOTICES, ...ODD_STEPS, ...TOKEN_STEPS] },
  { name: 'spot', args: ['spot'], steps: [...NOTICES, get(`${META}/instance-id`)] },
  {
    name: 'spot stop with times',
    args: ['spot', '-a', 'stop', '-t', '2020-01-07T01:03:47Z', '-r', '2020-01-07T00:58:47Z'],
    steps: NOTICES,
  },
  { name: 'spot hibernate, flags after the command', args: ['spot', '--action=hibernate'], steps: NOTICES },
  { name: 'spot after a 4 s delay', args: ['spot', '-d', '4'], steps: [...NOTICES, pause(4600), ...NOTICES] },
  { name: 'rebalance after a 4 s delay', args: ['spot', '--rebalance-delay-sec', '4'], steps: [...NOTICES, pause(4600), ...NOTICES] },
  { name: 'root with a 4 s mock delay', args: ['-d', '4'], steps: [...NOTICES, pause(4600), ...NOTICES] },
  { name: 'events', args: ['events'], steps: [...NOTICES, get(`${META}/events/maintenance`)] },
  {
    name: 'events instance-stop completed with times',
    args: [
      'events',
      '-o',
      'instance-stop',
      '-t',
      'completed',
      '-b',
      '2020-01-01T01:03:47Z',
      '-a',
      '2020-01-07T01:03:47Z',
      '-l',
      '2020-01-10T01:03:47Z',
    ],
    steps: NOTICES,
  },
  { name: 'events canceled (alias se)', args: ['se', '--state', 'canceled', '--code', 'system-maintenance'], steps: NOTICES },
  { name: 'events after a 4 s delay', args: ['scheduledevents', '-d', '4'], steps: [...NOTICES, pause(4600), ...NOTICES] },
  { name: 'asglifecycle', args: ['asglifecycle'], steps: NOTICES },
  { name: 'asg after a 4 s delay', args: ['asg', '--asg-termination-delay-sec', '4'], steps: [...NOTICES, pause(4600), ...NOTICES] },
  { name: 'imdsv2 only', args: ['--imdsv2'], steps: IMDSV2_STEPS },
  {
    name: 'imdsv2 spot (-I after the command)',
    args: ['spot', '-I'],
    steps: [get(SPOT), put('60', 'PUT token (saved)', { saveToken: 't' }), get(SPOT, { useToken: 't' }), get(REBALANCE, { useToken: 't' })],
  },
  { name: 'config file overrides', args: ['-c', '{home}/overrides.json'], files: { 'overrides.json': CONFIG }, steps: CONFIG_STEPS },
  { name: 'config file in HOME', args: [], files: { 'aemm-config.json': CONFIG }, steps: CONFIG_STEPS },
  {
    name: 'config file moving public-ipv4',
    args: ['-c', '{home}/c.json'],
    files: { 'c.json': { metadata: { values: { 'public-ipv4': '198.51.100.7' } } } },
    steps: [
      get(`${META}/public-ipv4`),
      get(`${META}/network/interfaces/macs/0e:49:61:0f:c3:11/ipv4-associations`),
      get(`${META}/network/interfaces/macs/0e:49:61:0f:c3:11/ipv4-associations/198.51.100.7`),
    ],
  },
  {
    name: 'config file imdsv2 and delay',
    args: ['-c', '{home}/c.json'],
    files: { 'c.json': { imdsv2: true, 'mock-delay-sec': 4 } },
    steps: [
      get(SPOT),
      put('60', 'PUT token (saved)', { saveToken: 't' }),
      get(SPOT, { useToken: 't' }),
      pause(4600),
      get(SPOT, { useToken: 't' }),
    ],
  },
  {
    name: 'config file with strings for numbers and booleans',
    args: ['-c', '{home}/c.json'],
    files: { 'c.json': { imdsv2: 'true', 'mock-delay-sec': '0', spot: { action: 'stop' } } },
    steps: [get(SPOT), put('60', 'PUT (saved)', { saveToken: 't' }), get(SPOT, { useToken: 't' })],
  },
  {
    name: 'AEMM_* variables',
    args: [],
    env: {
      AEMM_METADATA_VALUES_MAC: '0e:49:61:0f:c3:77',
      AEMM_SPOT_ACTION: 'stop',
      AEMM_METADATA_VALUES_INSTANCE_ID: 'i-0fromenv',
      AEMM_EVENTS_STATE: 'canceled',
    },
    steps: [get(`${META}/mac`), get(`${META}/instance-id`), get(`${META}/network/interfaces/macs`), ...NOTICES],
  },
  {
    name: 'AEMM_IMDSV2 and AEMM_MOCK_DELAY_SEC',
    args: [],
    env: { AEMM_IMDSV2: 'true', AEMM_MOCK_DELAY_SEC: '4' },
    steps: [
      get(SPOT),
      put('60', 'PUT (saved)', { saveToken: 't' }),
      get(SPOT, { useToken: 't' }),
      pause(4600),
      get(SPOT, { useToken: 't' }),
    ],
  },
  {
    name: 'AEMM_CONFIG_FILE',
    args: [],
    env: { AEMM_CONFIG_FILE: '{home}/env.json' },
    files: { 'env.json': { metadata: { values: { 'instance-id': 'i-0envfile' } } } },
    steps: [get(`${META}/instance-id`)],
  },
  {
    name: 'precedence: flag over env over config',
    args: ['spot', '-a', 'terminate', '-c', '{home}/c.json'],
    env: { AEMM_SPOT_ACTION: 'stop', AEMM_METADATA_VALUES_INSTANCE_ID: 'i-0env' },
    files: { 'c.json': { spot: { action: 'hibernate' }, metadata: { values: { 'instance-id': 'i-0config', 'ami-id': 'ami-0config' } } } },
    steps: [get(SPOT), get(`${META}/instance-id`), get(`${META}/ami-id`)],
  },
  { name: 'mock-ip-count 1', args: ['-x', '1'], steps: NOTICES },
];

const BAD_CONFIG = '{"spot": {"action": "terminate",}';

/** The runs that end by themselves (or should): help, version, completion, bad input, -s. */
export const EXIT_CASES: ExitCase[] = [
  ...[
    ['--help'],
    ['-h'],
    ['help'],
    ['spot', '--help'],
    ['events', '-h'],
    ['asglifecycle', '--help'],
    ['help', 'spot'],
    ['help', 'events'],
    ['help', 'asg'],
    ['help', 'nope'],
    ['se', '--help'],
    ['autoscaling', '-h'],
    ['spot', '-h', '-a', 'stop'],
    ['help', 'help'],
    ['help', 'completion'],
  ].map((args) => ({ name: args.join(' '), args })),
  ...[['-v'], ['--version'], ['spot', '-v'], ['-v', '-h']].map((args) => ({ name: args.join(' '), args })),
  ...[
    ['completion'],
    ['completion', '--help'],
    ['completion', 'bash', '--help'],
    ['completion', 'zsh', '--help'],
    ['completion', 'fish', '--help'],
    ['completion', 'powershell', '--help'],
    ['completion', 'nope'],
    ['completion', 'bash'],
    ['completion', 'zsh'],
    ['completion', 'fish'],
    ['completion', 'powershell'],
    ['__complete', ''],
    ['__complete', '-'],
    ['__complete', '--'],
    ['__complete', 'spot', '--a'],
    ['__complete', 'completion', ''],
    ['__complete', 'help', 's'],
    ['__complete', 'asg', '-'],
    ['__complete', 'spot', ''],
    ['__complete', 'spot', '-a', ''],
    ['__completeNoDesc', 's'],
    ['__complete', '-n', '1', 's'],
    ['__complete', 'events', '-'],
    ['completion', 'bash', 'extra'],
    ['completion', 'fish', '--no-descriptions', '--help'],
  ].map((args) => ({ name: args.join(' '), args })),
  ...[
    ['--nope'],
    ['-q'],
    ['nope'],
    ['spot', 'nope'],
    ['-d'],
    ['-d', 'x'],
    ['-d', '1.5'],
    ['-I=maybe'],
    ['spot', '-a', 'explode'],
    ['events', '-o', 'nope'],
    ['events', '-t', 'nope'],
    ['spot', '-t', 'yesterday'],
    ['--mock-trigger-time', 'soon'],
    ['-p', 'abc'],
    ['-p', '99999'],
    ['events', '-b', 'x'],
    ['-c', '{home}/missing.json'],
    ['-c', '{home}/bad.json'],
    ['-c', '{home}'],
    ['-c', '{home}/array.json'],
    ['-x', 'x'],
    ['--rebalance-trigger-time', 'x'],
    ['spot', '-r', 'x'],
    ['events', '-a', 'x'],
    ['events', '-l', 'x'],
  ].map((args) => ({
    name: `error: ${args.join(' ')}`,
    args: ['-n', '127.0.0.1', '-p', '{port}', ...args],
    files: { 'bad.json': BAD_CONFIG, 'array.json': '[1,2]' },
  })),
  { name: 'error: AEMM_SPOT_ACTION=explode', args: ['spot', '-n', '127.0.0.1', '-p', '{port}'], env: { AEMM_SPOT_ACTION: 'explode' } },
  { name: 'error: AEMM_MOCK_DELAY_SEC=x', args: ['-n', '127.0.0.1', '-p', '{port}'], env: { AEMM_MOCK_DELAY_SEC: 'x' } },
  { name: '-s saves the config', args: ['-s', '-n', '127.0.0.1', '-p', '{port}'], readBack: ['.ec2-metadata-mock/.aemm-config-used.json'] },
  {
    name: '-s with spot and overrides',
    args: ['spot', '-a', 'stop', '-s', '-c', '{home}/c.json', '-n', '127.0.0.1', '-p', '{port}'],
    files: { 'c.json': CONFIG },
    env: { AEMM_EVENTS_CODE: 'instance-stop' },
    readBack: ['.ec2-metadata-mock/.aemm-config-used.json'],
  },
  {
    name: '-s when the folder is a file',
    args: ['-s', '-n', '127.0.0.1', '-p', '{port}'],
    files: { '.ec2-metadata-mock': 'not a folder' },
  },
];
