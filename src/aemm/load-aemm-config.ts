import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AemmError, UsageError } from '../core/errors.js';
import { AEMM_DEFAULTS } from './aemm-defaults.js';
import { AEMM_COMMANDS, AEMM_GLOBAL_FLAGS } from './aemm-flags.js';
import {
  getAemmValue,
  isAemmTree,
  listAemmLeafKeys,
  mergeAemmTrees,
  setAemmValue,
  toAemmTree,
  type AemmNode,
  type AemmTree,
} from './aemm-tree.js';
import { describeGoFileError, formatRfc3339, parseGoBool, parseGoInt } from './go-values.js';
import type { GivenAemmFlag } from './parse-aemm-args.js';

/** A line AEMM prints while starting: `log` lines go to stderr behind Go's timestamp, `out` lines to stdout. */
export interface AemmMessage {
  stream: 'log' | 'out';
  text: string;
}

/** The settings AEMM's commands read, typed (AEMM's `cfg.Config` minus the metadata). */
export interface AemmSettings {
  configFile: string;
  mockDelaySec: number;
  mockTriggerTime: string;
  mockIpCount: number;
  saveConfigToFile: boolean;
  imdsv2: boolean;
  rebalanceDelaySec: number;
  rebalanceTriggerTime: string;
  asgTerminationDelaySec: number;
  asgTerminationTriggerTime: string;
  hostname: string;
  port: string;
  spot: { action: string; time: string; rebalanceRecTime: string };
  events: { code: string; state: string; notBefore: string; notAfter: string; notBeforeDeadline: string };
}

/** AEMM's resolved configuration: the merged tree (what `-s` saves), typed settings, and what to print. */
export interface AemmConfig {
  tree: AemmTree;
  settings: AemmSettings;
  messages: AemmMessage[];
  /** HOME as AEMM saw it; empty when unset (then `-s` saves under the working directory). */
  home: string;
}

/** Where the settings come from, besides AEMM's built-in defaults. */
export interface AemmConfigSources {
  flags: readonly GivenAemmFlag[];
  env: Readonly<Record<string, string | undefined>>;
  /** Start time, epoch ms: the default event times count from it. */
  now: number;
  /** The local time zone, minutes east of UTC; AEMM formats its default event times in it. */
  utcOffsetMinutes: number;
}

const DAY = 86_400_000;
/** Config file AEMM looks for in $HOME when none is named. */
const DEFAULT_CONFIG_NAME = 'aemm-config';
/** Metadata values that appear inside paths, and the paths that follow them (AEMM `pkg/config/metadata.go`). */
const PLACEHOLDERS: ReadonlyArray<[string, readonly string[]]> = [
  [
    'mac',
    [
      'mac-device-number',
      'mac-network-interface-id',
      'mac-network-interface-card-index',
      'mac-ipv4-associations',
      'mac-local-hostname',
      'mac-local-ipv4s',
      'mac-mac',
      'mac-owner-id',
      'mac-public-hostname',
      'mac-public-ipv4s',
      'mac-security-groups',
      'mac-security-group-ids',
      'mac-subnet-id',
      'mac-subnet-ipv4-cidr-block',
      'mac-vpc-id',
      'mac-vpc-ipv4-cidr-block',
      'mac-vpc-ipv4-cidr-blocks',
      'mac-ipv6-associations',
      'mac-subnet-ipv6-cidr-blocks',
      'mac-vpc-ipv6-cidr-blocks',
    ],
  ],
  ['public-ipv4', ['mac-ipv4-associations']],
  ['iam-security-credentials-role', ['iam-security-credentials']],
  ['elastic-inference-associations', ['elastic-inference-accelerator']],
];

/** Variables the drop-in reads besides the config keys' own. */
const AEMM_OWN_VARIABLES = ['AEMM_CONFIG_FILE', 'AEMM_IDENTITY_NODE_NAME', 'AEMM_IDENTITY_PRIVATE_IP'];

/** AEMM's environment variable for a config key: `spot.action` → `AEMM_SPOT_ACTION` (viper, prefix aemm, `-` and `.` → `_`). */
export function toAemmEnvName(key: string): string {
  return `AEMM_${key.toUpperCase().replace(/[-.]/g, '_')}`;
}

function buildDefaults(now: number, utcOffsetMinutes: number): AemmTree {
  const defaults = toAemmTree(AEMM_DEFAULTS);
  return mergeAemmTrees(defaults, {
    'config-file': `$HOME/${DEFAULT_CONFIG_NAME}.json`,
    'mock-delay-sec': 0,
    'mock-trigger-time': '',
    'mock-ip-count': 2,
    'save-config-to-file': false,
    imdsv2: false,
    'rebalance-delay-sec': 0,
    'rebalance-trigger-time': '',
    'asg-termination-delay-sec': 0,
    'asg-termination-trigger-time': '',
    server: { hostname: '0.0.0.0', port: '1338' },
    // Flags without a default in AEMM's code still hold their empty flag default.
    spot: { action: 'terminate', time: '', 'rebalance-rec-time': '' },
    events: {
      code: 'system-reboot',
      state: 'active',
      'not-before': formatRfc3339(now, utcOffsetMinutes),
      'not-after': formatRfc3339(now + 7 * DAY, utcOffsetMinutes),
      'not-before-deadline': formatRfc3339(now + 9 * DAY, utcOffsetMinutes),
    },
  });
}

function fail(path: string, problem: string): never {
  // AEMM stops with log.Fatalf here: exit status 1.
  throw new AemmError('AEMM_CONFIG', `Error while attempting to apply overrides from ${path}: ${problem}`);
}

/** The file types viper reads; AEMM refuses any other extension before opening the file. */
const VIPER_TYPES = ['json', 'toml', 'yaml', 'yml', 'properties', 'props', 'prop', 'hcl', 'tfvars', 'dotenv', 'env', 'ini'];
const GO_JSON_KINDS: Readonly<Record<string, string>> = { object: 'object', string: 'string', number: 'number', boolean: 'bool' };

async function readConfigFile(path: string): Promise<AemmTree> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  if (!VIPER_TYPES.includes(extension)) return fail(path, `Unsupported Config Type ${JSON.stringify(extension)}`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return fail(path, describeGoFileError('open', path, error as NodeJS.ErrnoException));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(path, `While parsing config: ${(error as Error).message}`);
  }
  // A JSON null is an empty config to Go; anything else that is not an object cannot fill viper's map.
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    const kind = Array.isArray(value) ? 'array' : (GO_JSON_KINDS[typeof value] ?? typeof value);
    return fail(path, `While parsing config: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  return toAemmTree(value);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Which config file AEMM reads: `-c`, else AEMM_CONFIG_FILE, else `$HOME/aemm-config.json` if it is there. */
async function locateConfigFile(sources: AemmConfigSources, home: string, messages: AemmMessage[]): Promise<string | undefined> {
  const flag = sources.flags.find((given) => given.flag.name === 'config-file');
  if (flag && flag.value !== '') return String(flag.value);
  const fromEnv = sources.env.AEMM_CONFIG_FILE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (home === '') return undefined;
  const path = join(home, `${DEFAULT_CONFIG_NAME}.json`);
  if (await exists(path)) return path;
  messages.push({ stream: 'log', text: `Warning:  Config File "${DEFAULT_CONFIG_NAME}" Not Found in "[${home}]"` });
  return undefined;
}

function toText(node: AemmNode | undefined): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'boolean') return node ? '1' : '0';
  return typeof node === 'object' ? '' : String(node);
}

/** Paths that contain a placeholder value follow it when the value is overridden, unless the path itself was. */
function substitutePlaceholders(tree: AemmTree, defaults: AemmTree, messages: AemmMessage[]): void {
  for (const [valueKey, pathKeys] of PLACEHOLDERS) {
    const before = toText(getAemmValue(defaults, `metadata.values.${valueKey}`));
    const after = toText(getAemmValue(tree, `metadata.values.${valueKey}`));
    if (before === after) continue;
    for (const pathKey of pathKeys) {
      const key = `metadata.paths.${pathKey}`;
      const current = getAemmValue(tree, key);
      if (typeof current !== 'string') continue;
      const updated = current.split(before).join(after);
      messages.push({ stream: 'log', text: `Updating path from ${current} to ${updated}` });
      setAemmValue(tree, key, updated);
    }
  }
}

function readSetting<T>(tree: AemmTree, key: string, kind: string, convert: (node: AemmNode | undefined) => T | undefined): T {
  const node = getAemmValue(tree, key);
  const value = convert(node);
  if (value === undefined) {
    throw new UsageError(`Config value ${key} ${JSON.stringify(node)} is not ${kind}. Fix ${toAemmEnvName(key)} or the config file.`);
  }
  return value;
}

/** mapstructure's weak typing, as viper's Unmarshal applies it. */
const asText = (node: AemmNode | undefined): string | undefined => (isAemmTree(node) ? undefined : toText(node));
const asInt = (node: AemmNode | undefined): number | undefined => {
  if (node === undefined || node === null || node === '') return 0;
  if (typeof node === 'number') return Math.trunc(node);
  if (typeof node === 'boolean') return node ? 1 : 0;
  return typeof node === 'string' ? parseGoInt(node) : undefined;
};
const asBool = (node: AemmNode | undefined): boolean | undefined => {
  if (node === undefined || node === null || node === '') return false;
  if (typeof node === 'boolean') return node;
  if (typeof node === 'number') return node !== 0;
  return typeof node === 'string' ? parseGoBool(node) : undefined;
};

function toSettings(tree: AemmTree): AemmSettings {
  const text = (key: string): string => readSetting(tree, key, 'text', asText);
  const int = (key: string): number => readSetting(tree, key, 'a whole number', asInt);
  const bool = (key: string): boolean => readSetting(tree, key, 'true or false', asBool);
  return {
    configFile: text('config-file'),
    mockDelaySec: int('mock-delay-sec'),
    mockTriggerTime: text('mock-trigger-time'),
    mockIpCount: int('mock-ip-count'),
    saveConfigToFile: bool('save-config-to-file'),
    imdsv2: bool('imdsv2'),
    rebalanceDelaySec: int('rebalance-delay-sec'),
    rebalanceTriggerTime: text('rebalance-trigger-time'),
    asgTerminationDelaySec: int('asg-termination-delay-sec'),
    asgTerminationTriggerTime: text('asg-termination-trigger-time'),
    hostname: text('server.hostname'),
    port: text('server.port'),
    spot: { action: text('spot.action'), time: text('spot.time'), rebalanceRecTime: text('spot.rebalance-rec-time') },
    events: {
      code: text('events.code'),
      state: text('events.state'),
      notBefore: text('events.not-before'),
      notAfter: text('events.not-after'),
      notBeforeDeadline: text('events.not-before-deadline'),
    },
  };
}

/** Every config key a flag binds, of every command: AEMM binds them all whichever command runs. */
function flagKeys(): string[] {
  return [...AEMM_GLOBAL_FLAGS, ...AEMM_COMMANDS.flatMap((command) => command.flags)].flatMap((flag) => (flag.key ? [flag.key] : []));
}

/**
 * Resolves AEMM's configuration with its precedence, flag > env (`AEMM_*`) > config file >
 * defaults, key by key, then moves placeholder paths (overriding `mac` moves the network paths).
 * Throws an AemmError for an unreadable config file and a UsageError for a value of the wrong type.
 */
export async function loadAemmConfig(sources: AemmConfigSources): Promise<AemmConfig> {
  const messages: AemmMessage[] = [];
  const home = sources.env.HOME ?? '';
  if (home === '') messages.push({ stream: 'log', text: 'Warning: Failed to find home directory due to error: $HOME is not defined' });
  const defaults = buildDefaults(sources.now, sources.utcOffsetMinutes);
  const path = await locateConfigFile(sources, home, messages);
  const fromFile = path === undefined ? {} : await readConfigFile(path);
  const tree = mergeAemmTrees(defaults, fromFile);
  if (path !== undefined) {
    messages.push({ stream: 'out', text: `Using configuration from file:  ${path}` });
  }
  const known = new Set(AEMM_OWN_VARIABLES);
  for (const key of new Set([...listAemmLeafKeys(tree), ...flagKeys()])) {
    const name = toAemmEnvName(key);
    known.add(name);
    const value = sources.env[name];
    if (value !== undefined) setAemmValue(tree, key, value);
  }
  // A misspelt variable would leave a pod serving defaults silently; AEMM ignores it, the drop-in refuses it.
  const unknown = Object.keys(sources.env)
    .filter((name) => name.startsWith('AEMM_') && !known.has(name))
    .sort();
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown environment variable ${unknown[0]}: no AEMM config key is called that. Fix its name (keys map to AEMM_<KEY>, e.g. spot.action is AEMM_SPOT_ACTION) or unset it.`,
    );
  }
  for (const given of sources.flags) if (given.flag.key) setAemmValue(tree, given.flag.key, given.value);
  substitutePlaceholders(tree, defaults, messages);
  return { tree, settings: toSettings(tree), messages, home };
}
