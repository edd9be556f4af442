/** The commands of `ec2-metadata-mock`: the root serves everything, the others their own category. */
export type AemmCommand = 'root' | 'spot' | 'events' | 'asglifecycle';

/** One flag of the AEMM CLI (a pflag flag): names, type, the config key it sets, help text. */
export interface AemmFlag {
  name: string;
  short?: string;
  type: 'string' | 'bool' | 'int';
  /** The type help shows when it is not `type` (AEMM declared one time flag an int). */
  shownType?: 'int';
  /** The config key it binds (viper): `mock-delay-sec`, `server.port`, `spot.action`; none for help, version and our own flags. */
  key?: string;
  usage: string;
  /** A non-zero default that help shows as `(default N)`, as pflag does. */
  shownDefault?: string;
}

/** What each command is called, answers to, and says about itself in help. */
export interface AemmCommandInfo {
  name: AemmCommand;
  aliases: readonly string[];
  use: string;
  short: string;
  long: string;
  example: string;
  /** The command's own flags, besides `--help`. */
  flags: readonly AemmFlag[];
}

/** Name of the binary, as AEMM prints it. */
export const AEMM_BIN = 'ec2-metadata-mock';

/** The version `--version` prints: the AEMM release this drop-in imitates. */
export const AEMM_VERSION = 'v1.12.0';

/** AEMM's global (persistent) flags, usable before or after a command (AEMM `pkg/cmd/root`). */
export const AEMM_GLOBAL_FLAGS: readonly AemmFlag[] = [
  { name: 'hostname', short: 'n', type: 'string', key: 'server.hostname', usage: 'the HTTP hostname for the mock url (default: 0.0.0.0)' },
  { name: 'port', short: 'p', type: 'string', key: 'server.port', usage: 'the HTTP port where the mock runs (default: 1338)' },
  {
    name: 'config-file',
    short: 'c',
    type: 'string',
    key: 'config-file',
    usage: 'config file for cli input parameters in json format (default: $HOME/aemm-config.json)',
  },
  {
    name: 'save-config-to-file',
    short: 's',
    type: 'bool',
    key: 'save-config-to-file',
    usage:
      'whether to save processed config from all input sources in .ec2-metadata-mock/.aemm-config-used.json in $HOME or working dir, if homedir is not found (default: false)',
  },
  {
    name: 'mock-delay-sec',
    short: 'd',
    type: 'int',
    key: 'mock-delay-sec',
    usage: 'spot itn delay in seconds, relative to the application start time (default: 0 seconds)',
  },
  {
    name: 'mock-trigger-time',
    type: 'string',
    key: 'mock-trigger-time',
    usage: 'spot itn trigger time in RFC3339 format. This takes priority over mock-delay-sec (default: none)',
  },
  {
    name: 'mock-ip-count',
    short: 'x',
    type: 'int',
    key: 'mock-ip-count',
    shownDefault: '2',
    usage: 'number of IPs in a cluster that can receive a Spot Interrupt Notice and/or Scheduled Event',
  },
  {
    name: 'imdsv2',
    short: 'I',
    type: 'bool',
    key: 'imdsv2',
    usage:
      'whether to enable IMDSv2 only, requiring a session token when submitting requests (default: false, meaning both IMDS v1 and v2 are enabled)',
  },
  {
    name: 'rebalance-delay-sec',
    type: 'int',
    key: 'rebalance-delay-sec',
    usage: 'rebalance rec delay in seconds, relative to the application start time (default: 0 seconds)',
  },
  {
    name: 'rebalance-trigger-time',
    type: 'string',
    key: 'rebalance-trigger-time',
    usage: 'rebalance rec trigger time in RFC3339 format. This takes priority over rebalance-delay-sec (default: none)',
  },
  {
    name: 'asg-termination-delay-sec',
    type: 'int',
    key: 'asg-termination-delay-sec',
    usage: 'asg termination delay in seconds, relative to the application start time (default: 0 seconds)',
  },
  // AEMM declared this one as an int flag by mistake; it takes an RFC 3339 time here, as its help
  // says, while help shows AEMM's `int` so its bytes stay AEMM's.
  {
    name: 'asg-termination-trigger-time',
    type: 'string',
    shownType: 'int',
    key: 'asg-termination-trigger-time',
    usage: 'asg termination trigger time in RFC3339 format. This takes priority over asg-termination-delay-sec (default: none)',
  },
];

/** Flags of our own that AEMM lacks; global too, and listed apart in help. */
export const AEMM_EXTRA_FLAGS: readonly AemmFlag[] = [
  {
    name: 'cassette',
    type: 'string',
    usage: "serve this aemm cassette (a recording) instead of AEMM's default metadata; notices and flags still apply",
  },
  {
    name: 'control',
    type: 'bool',
    usage: 'serve the aemm control API under /__aemm/ to trigger notices and faults at run time (default: off)',
  },
  {
    name: 'fresh-credentials',
    type: 'bool',
    usage: "serve IAM credentials that were updated this hour and expire in 6 hours, instead of AEMM's fixed 2020 values",
  },
];

const ACTIONS = 'terminate,hibernate,stop';
const CODES = 'instance-reboot,system-reboot,system-maintenance,instance-retirement,instance-stop';
const STATES = 'active,completed,canceled';

/** Every command, in the order help lists them (cobra sorts them by name). */
export const AEMM_COMMANDS: readonly AemmCommandInfo[] = [
  {
    name: 'root',
    aliases: [],
    use: `${AEMM_BIN} <command> [arguments]`,
    short: 'Tool to mock Amazon EC2 instance metadata',
    long: `${AEMM_BIN} is a tool to mock Amazon EC2 instance metadata.`,
    example: `  ${AEMM_BIN} --mock-delay-sec 10\tmocks all metadata paths\n  ${AEMM_BIN} spot --action terminate\tmocks spot ITN only`,
    flags: [{ name: 'version', short: 'v', type: 'bool', usage: `version for ${AEMM_BIN}` }],
  },
  {
    name: 'asglifecycle',
    // AEMM lists the command's own name among its aliases, so help shows it twice.
    aliases: ['asglifecycle', 'autoscaling', 'asg'],
    use: 'asglifecycle [--code CODE] [--state STATE] [--not-after] [--not-before-deadline]',
    short: 'Mock EC2 ASG Lifecycle target-lifecycle-state',
    long: 'Mock EC2 ASG Lifecycle target-lifecycle-state',
    example: `  ${AEMM_BIN} asglifecycle -h \tasglifecycle help \n  ${AEMM_BIN} asglifecycle -t target-lifecycle-state\t\tmocks asg lifecycle target lifecycle states`,
    flags: [],
  },
  {
    name: 'events',
    aliases: ['se', 'scheduledevents'],
    use: 'events [--code CODE] [--state STATE] [--not-after] [--not-before-deadline]',
    short: 'Mock EC2 maintenance events',
    long: 'Mock EC2 maintenance events',
    example: `  ${AEMM_BIN} events -h \tevents help \n  ${AEMM_BIN} events -o instance-stop --state active -d\t\tmocks an active and upcoming scheduled event for instance stop with a deadline for the event start time`,
    flags: [
      {
        name: 'code',
        short: 'o',
        type: 'string',
        key: 'events.code',
        usage: `event code in the scheduled event (default: system-reboot)\nevent-code can be one of the following: ${CODES}`,
      },
      {
        name: 'state',
        short: 't',
        type: 'string',
        key: 'events.state',
        usage: `state of the scheduled event (default: active)\nstate can be one of the following: ${STATES}`,
      },
      {
        name: 'not-before',
        short: 'b',
        type: 'string',
        key: 'events.not-before',
        usage:
          'the earliest start time for the scheduled event in RFC3339 format E.g. 2020-01-07T01:03:47Z (default: application start time in UTC)',
      },
      {
        name: 'not-after',
        short: 'a',
        type: 'string',
        key: 'events.not-after',
        usage:
          'the latest end time for the scheduled event in RFC3339 format E.g. 2020-01-07T01:03:47Z default: application start time + 7 days in UTC))',
      },
      {
        name: 'not-before-deadline',
        short: 'l',
        type: 'string',
        key: 'events.not-before-deadline',
        usage:
          'the deadline for starting the event in RFC3339 format E.g. 2020-01-07T01:03:47Z (default: application start time + 9 days in UTC)',
      },
    ],
  },
  {
    name: 'spot',
    aliases: ['spot'],
    use: 'spot [--action ACTION]',
    short: 'Mock EC2 Spot interruption notice',
    long: 'Mock EC2 Spot interruption notice',
    example: `  ${AEMM_BIN} spot -h \tspot help \n  ${AEMM_BIN} spot -d 5 --action terminate\t\tmocks spot interruption only`,
    flags: [
      {
        name: 'action',
        short: 'a',
        type: 'string',
        key: 'spot.action',
        usage: `action in the spot interruption notice (default: terminate)\naction can be one of the following: ${ACTIONS}`,
      },
      {
        name: 'time',
        short: 't',
        type: 'string',
        key: 'spot.time',
        usage:
          'termination time specifies the approximate time when the spot instance will receive the shutdown signal in RFC3339 format to execute instance action E.g. 2020-01-07T01:03:47Z (default: request time + 2 minutes in UTC)',
      },
      {
        name: 'rebalance-rec-time',
        short: 'r',
        type: 'string',
        key: 'spot.rebalance-rec-time',
        usage:
          'rebalance rec time specifies the approximate time when the rebalance recommendation notification will be emitted in RFC3339 format',
      },
    ],
  },
];

/** The command with this name or alias, if any. */
export function findAemmCommand(name: string): AemmCommandInfo | undefined {
  return AEMM_COMMANDS.find((command) => command.name !== 'root' && (command.name === name || command.aliases.includes(name)));
}

/** A command's info by name. */
export function getAemmCommand(name: AemmCommand): AemmCommandInfo {
  return AEMM_COMMANDS.find((command) => command.name === name)!;
}
