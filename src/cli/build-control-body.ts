import { UsageError } from '../core/errors.js';
import { loadLayerFiles } from './load-layer-files.js';
import { parseKeyValue } from './mock-flags.js';

/** The `aemm control` flags, as oclif parsed them. */
export interface ControlFlags {
  action?: string;
  time?: string;
  delay?: string;
  at?: string;
  code?: string;
  state?: string;
  'not-before'?: string;
  'not-after'?: string;
  'not-before-deadline'?: string;
  tag?: string[];
  mode?: string;
  path?: string;
  status?: number;
  latency?: string;
  drop?: boolean;
  hang?: boolean;
  times?: number;
  rate?: number;
  burst?: number;
  by?: string;
  kind?: string;
  file?: string;
  name?: string;
}

const definedOnly = (value: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== false));

function need<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new UsageError(message);
  return value;
}

/** The JSON body of a control request from `aemm control VERB` flags; the server validates the settings. */
export async function buildControlBody(verb: string, flags: ControlFlags): Promise<Record<string, unknown> | undefined> {
  const trigger = { delay: flags.delay, at: flags.at };
  switch (verb) {
    case 'status':
    case 'reset':
      return undefined;
    case 'spot':
      return definedOnly({ action: flags.action, time: flags.time, ...trigger });
    case 'rebalance':
      return definedOnly(trigger);
    case 'event':
      return definedOnly({
        code: flags.code,
        state: flags.state,
        notBefore: flags['not-before'],
        notAfter: flags['not-after'],
        notBeforeDeadline: flags['not-before-deadline'],
        ...trigger,
      });
    case 'asg':
      return definedOnly({ state: flags.state, ...trigger });
    case 'tags':
      return { mode: flags.mode ?? 'merge', values: Object.fromEntries((flags.tag ?? []).map((tag) => parseKeyValue(tag, '--tag'))) };
    case 'fault':
      return definedOnly({
        path: need(flags.path, 'aemm control fault needs --path, e.g. --path "spot/*" --status 503.'),
        status: flags.status,
        latency: flags.latency,
        drop: flags.drop,
        hang: flags.hang,
        times: flags.times,
      });
    case 'throttle':
      return definedOnly({
        rate: need(flags.rate, 'aemm control throttle needs --rate, e.g. --rate 100.'),
        burst: flags.burst,
        action: flags.status,
      });
    case 'imdsv2':
      return { mode: need(flags.mode, 'aemm control imdsv2 needs --mode optional or --mode required.') };
    case 'advance':
      return { by: need(flags.by, 'aemm control advance needs --by, e.g. --by 2m.') };
    case 'time':
      return { at: need(flags.at, 'aemm control time needs --at, e.g. --at 2026-01-07T01:03:47Z.') };
    case 'signal':
      return { name: need(flags.name, 'aemm control signal needs --name, the trigger a scenario step waits for, e.g. --name cancel.') };
    case 'clear':
      return definedOnly({ kind: flags.kind });
    case 'apply': {
      const [settings] = await loadLayerFiles([need(flags.file, 'aemm control apply needs --file with a layer file.')], '--file');
      return settings as Record<string, unknown>;
    }
    default:
      throw new UsageError(`Control verb "${verb}" is unknown.`);
  }
}
