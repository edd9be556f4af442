import type { AemmCommand } from './aemm-flags.js';
import { parseRfc3339 } from './go-values.js';
import type { AemmSettings } from './load-aemm-config.js';

const ACTIONS = ['terminate', 'hibernate', 'stop'];
const CODES = ['instance-reboot', 'system-reboot', 'system-maintenance', 'instance-retirement', 'instance-stop'];
const STATES = ['active', 'completed', 'canceled'];
const RFC3339 = 'time in RFC3339 format, e.g. 2020-01-07T01:03:47Z';

/** AEMM's flag validation message (AEMM `pkg/error`), one line each. */
function invalid(flag: string, value: string, allowed: string): string {
  return `Invalid CLI input "${value}" for flag ${flag}. Allowed value(s): ${allowed}.`;
}

/**
 * Checks the settings a command uses the way AEMM does (spot action, event code and state,
 * RFC 3339 times), plus what AEMM only found out by crashing (port, trigger times); returns one
 * message per problem, empty when all is well.
 */
export function validateAemmSettings(command: AemmCommand, settings: AemmSettings): string[] {
  const problems: string[] = [];
  const time = (flag: string, value: string, optional = true): void => {
    if ((value !== '' || !optional) && parseRfc3339(value) === undefined) problems.push(invalid(flag, value, RFC3339));
  };
  const oneOf = (flag: string, value: string, allowed: string[]): void => {
    if (!allowed.includes(value)) problems.push(invalid(flag, value, allowed.join(',')));
  };
  const withSpot = command === 'root' || command === 'spot';
  const withEvents = command === 'root' || command === 'events';
  const withAsg = command === 'root' || command === 'asglifecycle';
  if (withSpot) {
    oneOf('action', settings.spot.action, ACTIONS);
    time('time', settings.spot.time);
    time('rebalance-rec-time', settings.spot.rebalanceRecTime);
    time('rebalance-trigger-time', settings.rebalanceTriggerTime);
  }
  if (withEvents) {
    oneOf('code', settings.events.code, CODES);
    oneOf('state', settings.events.state, STATES);
    time('not-before', settings.events.notBefore, false);
    time('not-after', settings.events.notAfter, false);
    time('not-before-deadline', settings.events.notBeforeDeadline, false);
  }
  if (withSpot || withEvents) time('mock-trigger-time', settings.mockTriggerTime);
  if (withAsg) time('asg-termination-trigger-time', settings.asgTerminationTriggerTime);
  const port = /^\d{1,5}$/.test(settings.port) ? Number(settings.port) : Number.NaN;
  if (!(port >= 0 && port <= 65535))
    problems.push(invalid('port', settings.port, 'a TCP port number from 0 to 65535 (0 picks a free one)'));
  return problems;
}
