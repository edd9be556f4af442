import { SCENARIO_FORMAT } from './scenario.js';

const DOCS = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide';
const SPOT_NOTICES = `${DOCS}/spot-instance-termination-notices.html`;
const REBALANCE = `${DOCS}/rebalance-recommendations.html`;
const INTERRUPTION_BEHAVIOR = `${DOCS}/interruption-behavior.html`;
const SCHEDULED_EVENTS = `${DOCS}/monitoring-instances-status-check_sched.html`;
const METADATA_CATEGORIES = `${DOCS}/instancedata-data-categories.html`;
const IMDS_OPTIONS = `${DOCS}/configuring-instance-metadata-options.html`;
const IMDSV2 = `${DOCS}/instance-metadata-v2-how-it-works.html`;
const REBOOT_EVENT_ID = 'instance-event-0a1b2c3d4e5f60718';
const MAINTENANCE_EVENT_ID = 'instance-event-0f1e2d3c4b5a69788';
const STOP_EVENT_ID = 'instance-event-087e363178449a61e';

/**
 * The scenarios aemm ships, as scenario files (`aemm-scenario/1`). Times are compressed to
 * minutes so that `--speed 60` plays each in seconds; `docs/scenarios.md` explains each choice.
 */
export const BUILTIN_SCENARIOS: Readonly<Record<string, Record<string, unknown>>> = {
  'spot-interruption': {
    format: SCENARIO_FORMAT,
    name: 'spot-interruption',
    description:
      'A rebalance recommendation, then the interruption notice two minutes before the instance is terminated, then the instance is gone.',
    sources: [REBALANCE, SPOT_NOTICES],
    steps: [
      { name: 'rebalance', at: '1m', apply: { rebalance: true } },
      { name: 'interruption-notice', after: '1m', apply: { spot: { action: 'terminate' } } },
      { name: 'terminated', after: '2m', instance: 'refused' },
    ],
  },
  'spot-stop': {
    format: SCENARIO_FORMAT,
    name: 'spot-stop',
    description: 'An interruption notice with action stop, then the instance stops two minutes later.',
    sources: [SPOT_NOTICES, INTERRUPTION_BEHAVIOR],
    steps: [
      { name: 'interruption-notice', at: '1m', apply: { spot: { action: 'stop' } } },
      { name: 'stopped', after: '2m', instance: 'refused' },
    ],
  },
  'spot-hibernate': {
    format: SCENARIO_FORMAT,
    name: 'spot-hibernate',
    description:
      'An interruption notice with action hibernate and no two-minute lead: hibernation begins at once, the instance is gone seconds later.',
    sources: [SPOT_NOTICES, INTERRUPTION_BEHAVIOR],
    steps: [
      { name: 'interruption-notice', at: '1m', apply: { spot: { action: 'hibernate' } } },
      { name: 'hibernated', after: '5s', instance: 'refused' },
    ],
  },
  'scheduled-reboot': {
    format: SCENARIO_FORMAT,
    name: 'scheduled-reboot',
    description:
      'An instance-reboot event is scheduled, its window starts and the instance reboots, then the event is completed and moves to history.',
    sources: [SCHEDULED_EVENTS, METADATA_CATEGORIES],
    steps: [
      {
        name: 'scheduled',
        at: '30s',
        apply: {
          events: [
            {
              code: 'instance-reboot',
              state: 'active',
              eventId: REBOOT_EVENT_ID,
              notBefore: '+5m',
              notAfter: '+7m',
              description: 'The instance is scheduled for instance-reboot',
            },
          ],
        },
      },
      { name: 'active', after: '5m', description: 'The window starts: the instance reboots.', instance: 'refused' },
      { name: 'completed', after: '1m', instance: 'up', apply: { events: [{ eventId: REBOOT_EVENT_ID, state: 'completed' }] } },
    ],
  },
  'maintenance-canceled': {
    format: SCENARIO_FORMAT,
    name: 'maintenance-canceled',
    description: 'A system-maintenance event is scheduled, then AWS cancels it and it moves to history.',
    sources: [SCHEDULED_EVENTS, METADATA_CATEGORIES],
    steps: [
      {
        name: 'scheduled',
        at: '30s',
        apply: {
          events: [
            {
              code: 'system-maintenance',
              state: 'active',
              eventId: MAINTENANCE_EVENT_ID,
              notBefore: '+1d',
              notAfter: '+1d2h',
              description: 'scheduled system maintenance',
            },
          ],
        },
      },
      { name: 'canceled', after: '2m', apply: { events: [{ eventId: MAINTENANCE_EVENT_ID, state: 'canceled' }] } },
    ],
  },
  'degraded-hardware-stop': {
    format: SCENARIO_FORMAT,
    name: 'degraded-hardware-stop',
    description:
      'An instance-stop event for degraded hardware with no NotAfter (as seen in the field), then the instance stops at NotBefore.',
    sources: [
      SCHEDULED_EVENTS,
      'https://github.com/aws/aws-node-termination-handler/issues/315',
      'https://github.com/aws/aws-node-termination-handler/issues/361',
    ],
    steps: [
      {
        name: 'scheduled',
        at: '30s',
        apply: {
          events: [
            {
              code: 'instance-stop',
              state: 'active',
              eventId: STOP_EVENT_ID,
              notBefore: '+10m',
              notAfter: null,
              notBeforeDeadline: null,
              description: 'The instance is running on degraded hardware',
            },
          ],
        },
      },
      { name: 'stopped', after: '10m', instance: 'refused' },
    ],
  },
  'asg-scale-in': {
    format: SCENARIO_FORMAT,
    name: 'asg-scale-in',
    description: 'The Auto Scaling target lifecycle state reads InService, then Terminated when the group scales in.',
    sources: ['https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html'],
    steps: [
      { name: 'in-service', at: '0s', apply: { asg: { state: 'InService' } } },
      { name: 'scale-in', at: '1m', apply: { asg: { state: 'Terminated' } } },
    ],
  },
  'early-boot': {
    format: SCENARIO_FORMAT,
    name: 'early-boot',
    description:
      'Right after launch connections are refused for two seconds, then every GET answers 401 for eight more, then IMDS answers normally.',
    sources: [IMDSV2, 'https://github.com/smithy-lang/smithy-rs/issues/1156'],
    steps: [
      { name: 'not-listening', at: '0s', instance: 'refused' },
      { name: 'unauthorized', at: '2s', instance: 'up', rules: [{ match: { path: '**', method: 'GET' }, answer: 401 }] },
      { name: 'ready', at: '10s', clear: ['rules'] },
    ],
  },
  'token-rotation': {
    format: SCENARIO_FORMAT,
    name: 'token-rotation',
    description:
      'After a minute one request with a valid token is refused with 401, as when IMDS rotates its keys; clients must fetch a new token and retry.',
    sources: [IMDSV2, `${DOCS}/instancedata-data-retrieval.html`],
    steps: [{ name: 'rotate', at: '1m', rules: [{ match: { path: '**', token: 'valid' }, answer: 401, times: 1 }] }],
  },
  'hop-limit-container': {
    format: SCENARIO_FORMAT,
    name: 'hop-limit-container',
    description:
      'A container behind one more network hop than the PUT response hop limit allows: token PUTs never answer, GETs without a token still do. Add "clients" to the rule to mark only some addresses.',
    sources: [IMDS_OPTIONS, IMDSV2],
    steps: [{ name: 'hop-limit', at: '0s', rules: [{ match: { path: '/latest/api/token', method: 'PUT' }, answer: 'hang' }] }],
  },
};

/** Names of the built-in scenarios, for help texts and errors. */
export const BUILTIN_SCENARIO_NAMES = Object.keys(BUILTIN_SCENARIOS);
