import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { parsePort, parseSpeed } from '../cli/parse-flags.js';
import { ASG_STATES, EVENT_CODES, EVENT_STATES, SPOT_ACTIONS } from '../core/vocabulary.js';
import { sqsFlags, toSqsInput } from '../cli/sqs-flags.js';
import type { ReplayResult } from '../cli/serve-until-signal.js';

const mocks = 'MOCK LAYERS';
const scenarios = 'SCENARIOS, TIME AND JOURNAL';

/** Serve a cassette as a local IMDS. */
export default class Replay extends BaseCommand {
  static override summary = 'Serve a cassette as a local EC2 instance metadata service.';
  static override description =
    'Replays CASSETTE (default: the embedded recording) on http://HOSTNAME:PORT the way real IMDS answers: ' +
    'listings, 301s, IMDSv2 tokens, error pages. Credentials are kept fresh. Mock layers (spot, rebalance, ' +
    'events, ASG, tags, faults, throttle) come from flags and --layers files, and can be changed at run time ' +
    'through the control API under /__aemm/ (see `aemm control`). Stop with Ctrl-C.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> m7i-large --port 0 --imdsv2',
    '<%= config.bin %> <%= command.id %> ./my-instance.json --port 0 --json',
    '<%= config.bin %> <%= command.id %> --spot terminate --spot-delay 10s --rebalance',
    '<%= config.bin %> <%= command.id %> --events system-reboot --events-state active --asg-terminate-after 30s',
    "<%= config.bin %> <%= command.id %> --tags Name=web --tags Team=sre --fault 'api/token=hang' --throttle 50",
    '<%= config.bin %> <%= command.id %> --layers interruption.json --layers faults.json',
    '<%= config.bin %> <%= command.id %> --scenario spot-interruption --speed 60 --journal requests.ndjson',
    '<%= config.bin %> <%= command.id %> --scenario my-timeline.json --ready-file /tmp/aemm.ready',
  ];

  static override args = {
    cassette: Args.string({
      description: 'Cassette file, or the name of a shipped recording (see `aemm recordings`); default: the embedded default recording.',
    }),
  };

  static override flags = {
    port: Flags.custom<number>({
      char: 'p',
      description: 'TCP port; 0 picks a free one.',
      default: 1338,
      parse: async (input) => parsePort(input),
    })(),
    hostname: Flags.string({ char: 'n', description: 'Address to listen on.', default: '127.0.0.1' }),
    imdsv2: Flags.boolean({ char: 'I', description: 'Require IMDSv2 tokens on every request (401 without one).' }),
    quiet: Flags.boolean({ char: 'q', description: 'Do not log each request.', default: false }),
    control: Flags.boolean({
      description: 'Serve the control API under /__aemm/ (default: on for loopback, off otherwise).',
      allowNo: true,
    }),
    'allow-host': Flags.string({
      description:
        'The control API also answers requests whose Host is this name (repeatable); loopback names and the bound address always work.',
      multiple: true,
    }),
    layers: Flags.string({
      char: 'l',
      description: 'Layer file (JSON mock settings); repeat to stack, later wins.',
      multiple: true,
      helpGroup: mocks,
    }),
    spot: Flags.string({ description: 'Spot interruption notice with this action.', options: [...SPOT_ACTIONS], helpGroup: mocks }),
    'spot-delay': Flags.string({ description: 'Show the spot notice after this long (30, 30s, 2m).', helpGroup: mocks }),
    'spot-at': Flags.string({ description: 'Show the spot notice at this RFC 3339 time (wins over --spot-delay).', helpGroup: mocks }),
    'spot-time': Flags.string({ description: 'The notice\'s "time" field (default: notice + 2 min).', helpGroup: mocks }),
    rebalance: Flags.boolean({ description: 'Rebalance recommendation.', helpGroup: mocks }),
    'rebalance-delay': Flags.string({ description: 'Show the rebalance recommendation after this long.', helpGroup: mocks }),
    'rebalance-at': Flags.string({ description: 'Show the rebalance recommendation at this RFC 3339 time.', helpGroup: mocks }),
    events: Flags.string({
      description: 'Scheduled event with this code; repeat for several.',
      multiple: true,
      options: [...EVENT_CODES],
      helpGroup: mocks,
    }),
    'events-state': Flags.string({
      description: 'State of the events (completed/canceled go to history).',
      options: [...EVENT_STATES],
      helpGroup: mocks,
    }),
    'events-delay': Flags.string({ description: 'Show the events after this long.', helpGroup: mocks }),
    'events-at': Flags.string({ description: 'Show the events at this RFC 3339 time.', helpGroup: mocks }),
    'events-not-before': Flags.string({ description: 'NotBefore (RFC 3339; default: when the event shows).', helpGroup: mocks }),
    'events-not-after': Flags.string({ description: 'NotAfter (RFC 3339; default: NotBefore + 7 days).', helpGroup: mocks }),
    'events-not-before-deadline': Flags.string({
      description: 'NotBeforeDeadline (RFC 3339; default: NotBefore + 9 days).',
      helpGroup: mocks,
    }),
    'asg-terminate-after': Flags.string({
      description: 'autoscaling/target-lifecycle-state turns from InService to Terminated after this long.',
      helpGroup: mocks,
    }),
    'asg-at': Flags.string({ description: 'The ASG change happens at this RFC 3339 time.', helpGroup: mocks }),
    'asg-state': Flags.string({
      description: 'Target state after the change (default Terminated).',
      options: [...ASG_STATES],
      helpGroup: mocks,
    }),
    tags: Flags.string({ description: 'Instance tag KEY=VALUE; repeat for several.', multiple: true, helpGroup: mocks }),
    'tags-mode': Flags.string({
      description: 'merge: add to the recorded tags; replace: only these.',
      options: ['merge', 'replace'],
      helpGroup: mocks,
    }),
    'tags-off': Flags.boolean({ description: 'Tags not in metadata: tags/ answers 404.', helpGroup: mocks }),
    fault: Flags.string({
      description: "Fault PATTERN=EFFECT: 503, drop, hang, 200ms, x3 (e.g. 'spot/*=503'); repeatable.",
      multiple: true,
      helpGroup: mocks,
    }),
    throttle: Flags.integer({ description: 'Throttle to this many requests per second.', min: 1, helpGroup: mocks }),
    'throttle-burst': Flags.integer({ description: 'Requests allowed in a burst (default: the rate).', min: 1, helpGroup: mocks }),
    'throttle-status': Flags.integer({
      description: 'Answer throttled requests with this status instead of dropping them.',
      min: 400,
      max: 599,
      helpGroup: mocks,
    }),
    scenario: Flags.string({
      char: 's',
      description: 'Play a scenario: a built-in name (spot-interruption, scheduled-reboot, …) or a scenario file.',
      helpGroup: scenarios,
    }),
    speed: Flags.custom<number>({
      description: 'Run the replay clock this many times faster than the wall clock (60: a minute per second).',
      parse: async (input) => parseSpeed(input),
      helpGroup: scenarios,
    })(),
    journal: Flags.string({ char: 'j', description: 'Append every request to this NDJSON file as it is answered.', helpGroup: scenarios }),
    'journal-size': Flags.integer({
      description: 'Requests the in-memory journal keeps for /__aemm/journal (0: off unless --journal).',
      min: 0,
      max: 10_000_000,
      default: 1000,
      helpGroup: scenarios,
    }),
    'ready-file': Flags.string({ description: 'Write this file once the server answers; removed on exit.', helpGroup: scenarios }),
    'mock-ip-count': Flags.integer({
      description: 'Only the first N client addresses see spot, rebalance, events and ASG notices.',
      min: 0,
      helpGroup: mocks,
    }),
    ...sqsFlags,
  };

  static override enableJsonFlag = true;

  /** Runs until SIGINT/SIGTERM; resolves with what was served. */
  async run(): Promise<ReplayResult> {
    const { args, flags } = await this.parse(Replay);
    const { serveUntilSignal } = await import('../cli/serve-until-signal.js');
    const { toMockInput } = await import('../cli/mock-flags.js');
    return serveUntilSignal({
      cassettePath: args.cassette,
      port: flags.port,
      hostname: flags.hostname,
      imdsv2: flags.imdsv2,
      quiet: flags.quiet,
      json: this.jsonEnabled(),
      control: flags.control,
      allowHosts: flags['allow-host'],
      layerFiles: flags.layers ?? [],
      mocks: toMockInput(flags),
      sqs: toSqsInput(flags),
      scenario: flags.scenario,
      speed: flags.speed,
      journal: flags.journal,
      journalSize: flags['journal-size'],
      readyFile: flags['ready-file'],
    });
  }

  // A server's --json output is a stream: the ready line, then this result when it stops, one line each.
  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }
}
