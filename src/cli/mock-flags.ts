import { UsageError } from '../core/errors.js';
import { parseLayerSettings, type LayerSettings } from '../core/layers/layer-settings.js';

/** The `aemm replay` flags that configure mock layers, as oclif parsed them. */
export interface MockFlags {
  spot?: string;
  'spot-delay'?: string;
  'spot-at'?: string;
  'spot-time'?: string;
  rebalance?: boolean;
  'rebalance-delay'?: string;
  'rebalance-at'?: string;
  events?: string[];
  'events-state'?: string;
  'events-delay'?: string;
  'events-at'?: string;
  'events-not-before'?: string;
  'events-not-after'?: string;
  'events-not-before-deadline'?: string;
  'asg-terminate-after'?: string;
  'asg-at'?: string;
  'asg-state'?: string;
  tags?: string[];
  'tags-mode'?: string;
  'tags-off'?: boolean;
  fault?: string[];
  throttle?: number;
  'throttle-burst'?: number;
  'throttle-status'?: number;
  'mock-ip-count'?: number;
}

const definedOnly = (value: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));

/** `KEY=VALUE` → [key, value]; the value may contain "=". */
export function parseKeyValue(input: string, flag: string): [string, string] {
  const at = input.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} "${input}" is not KEY=VALUE. Write it like ${flag} Name=web.`);
  return [input.slice(0, at), input.slice(at + 1)];
}

/**
 * A fault from `PATTERN=EFFECT[,EFFECT…]`: a status (`503`), `drop`, `hang`, a latency with a
 * unit (`200ms`, `2s`) and/or a count (`x3`), e.g. `spot/*=503`, `api/token=hang`, `**=200ms`.
 */
export function parseFaultFlag(input: string): Record<string, unknown> {
  const at = input.lastIndexOf('=');
  if (at <= 0 || at === input.length - 1) {
    throw new UsageError(
      `--fault "${input}" is not PATTERN=EFFECT. Write it like --fault 'spot/*=503', 'api/token=hang', '**=200ms' or 'iam/**=drop,x2'.`,
    );
  }
  const fault: Record<string, unknown> = { path: input.slice(0, at) };
  for (const effect of input
    .slice(at + 1)
    .split(',')
    .map((part) => part.trim())) {
    if (/^\d{3}$/.test(effect)) fault.status = Number(effect);
    else if (effect === 'drop' || effect === 'hang') fault[effect] = true;
    else if (/^x\d+$/.test(effect)) fault.times = Number(effect.slice(1));
    else if (/^\d+(\.\d+)?(ms|s|m)$/.test(effect)) fault.latency = effect;
    else
      throw new UsageError(`--fault effect "${effect}" is unknown. Use a status (503), drop, hang, a latency (200ms, 2s) or a count (x3).`);
  }
  return fault;
}

/** Mock settings from `aemm replay` flags; any flag of a kind turns that kind on. */
export function toMockInput(flags: MockFlags): LayerSettings {
  const input: Record<string, unknown> = {};
  if (flags.spot || flags['spot-delay'] || flags['spot-at'] || flags['spot-time']) {
    input.spot = definedOnly({ action: flags.spot, delay: flags['spot-delay'], at: flags['spot-at'], time: flags['spot-time'] });
  }
  if (flags.rebalance || flags['rebalance-delay'] || flags['rebalance-at']) {
    input.rebalance = definedOnly({ delay: flags['rebalance-delay'], at: flags['rebalance-at'] });
  }
  const eventSettings = definedOnly({
    state: flags['events-state'],
    delay: flags['events-delay'],
    at: flags['events-at'],
    notBefore: flags['events-not-before'],
    notAfter: flags['events-not-after'],
    notBeforeDeadline: flags['events-not-before-deadline'],
  });
  if (flags.events?.length || Object.keys(eventSettings).length > 0) {
    input.events = (flags.events?.length ? flags.events : [undefined]).map((code) => definedOnly({ code, ...eventSettings }));
  }
  if (flags['asg-terminate-after'] || flags['asg-at'] || flags['asg-state']) {
    input.asg = definedOnly({ delay: flags['asg-terminate-after'], at: flags['asg-at'], state: flags['asg-state'] });
  }
  if (flags['tags-off']) input.tags = false;
  else if (flags.tags?.length || flags['tags-mode']) {
    input.tags = {
      mode: flags['tags-mode'] ?? 'merge',
      values: Object.fromEntries((flags.tags ?? []).map((tag) => parseKeyValue(tag, '--tags'))),
    };
  }
  if (flags.fault?.length) input.faults = flags.fault.map(parseFaultFlag);
  if (flags.throttle !== undefined) {
    input.throttle = definedOnly({ rate: flags.throttle, burst: flags['throttle-burst'], action: flags['throttle-status'] });
  }
  if (flags['mock-ip-count'] !== undefined) input.mockIpCount = flags['mock-ip-count'];
  return parseLayerSettings(input);
}
