import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import type { EventBridgeEvent } from '../../eventbridge/build-eventbridge-event.js';
import Replay from '../replay.js';

const LAYER_FLAGS = [
  'layers',
  'spot',
  'spot-delay',
  'spot-at',
  'spot-time',
  'rebalance',
  'rebalance-delay',
  'rebalance-at',
  'events',
  'events-state',
  'events-delay',
  'events-at',
  'events-not-before',
  'events-not-after',
  'events-not-before-deadline',
  'asg-terminate-after',
  'asg-at',
  'asg-state',
  'sqs-asg-name',
  'sqs-hook-name',
] as const;

// The same flags as `aemm replay`, so a preview and a replay read layers the same way.
const layerFlags = Object.fromEntries(LAYER_FLAGS.map((name) => [name, Replay.flags[name]])) as Pick<
  typeof Replay.flags,
  (typeof LAYER_FLAGS)[number]
>;

/** Print the EventBridge events a replay with these layers would send to SQS, as JSON lines. */
export default class EventsPreview extends BaseCommand {
  static override summary = 'Print the EventBridge events that a scenario or these layers would send, as JSON lines.';
  static override description =
    'Runs the layers (from --layers files and the same flags as `aemm replay`) and the --scenario, if any, on a clock ' +
    'from --start to the end of --horizon, firing each scenario step at its own time, and prints, one JSON object per ' +
    'line and oldest first, each event `aemm replay --sqs-queue-url` would send: spot interruption warnings, rebalance ' +
    "recommendations, AWS Health scheduled changes, state changes and ASG lifecycle actions, with the cassette's " +
    'instance id, account and region. Nothing is served or sent.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --scenario spot-interruption --start 2026-12-01T10:00:00Z',
    '<%= config.bin %> <%= command.id %> m7g-large --scenario my-timeline.json',
    '<%= config.bin %> <%= command.id %> --spot terminate --spot-delay 2m --rebalance',
    '<%= config.bin %> <%= command.id %> recordings/m7g-large.json --layers interruption.json --start 2026-12-01T10:00:00Z',
  ];

  static override args = {
    cassette: Args.string({
      description: 'Cassette file or shipped recording name whose identity the events carry (default: the embedded recording).',
    }),
  };

  static override flags = {
    ...layerFlags,
    scenario: Flags.string({
      char: 's',
      description:
        'Play this scenario: a built-in name (spot-interruption, scheduled-reboot, …) or a scenario file, as `aemm replay --scenario` does.',
    }),
    start: Flags.string({ description: 'When the replay starts, RFC 3339 (default: now); delays count from here.' }),
    horizon: Flags.string({ description: 'How far past the start to look (default 30d).' }),
  };

  // Errors as one JSON line on stdout; the events are JSON lines already.
  static override enableJsonFlag = true;

  /** Prints the events; resolves with them. */
  async run(): Promise<EventBridgeEvent[]> {
    const { args, flags } = await this.parse(EventsPreview);
    const { previewEvents } = await import('../../cli/preview-events.js');
    const { toMockInput } = await import('../../cli/mock-flags.js');
    const { events, stoppedAt } = await previewEvents({
      cassettePath: args.cassette,
      layerFiles: flags.layers ?? [],
      mocks: toMockInput(flags),
      scenario: flags.scenario,
      start: flags.start,
      horizon: flags.horizon,
      hook: {
        ...(flags['sqs-asg-name'] ? { groupName: flags['sqs-asg-name'] } : {}),
        ...(flags['sqs-hook-name'] ? { hookName: flags['sqs-hook-name'] } : {}),
      },
    });
    for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
    if (stoppedAt && !this.jsonEnabled()) {
      process.stderr.write(
        `Note: step "${stoppedAt.step}" waits for ${stoppedAt.waitingFor}, which a preview never sees; the events above are those before it.\n`,
      );
    }
    return events;
  }

  // The events went out as they were found; --json adds nothing after them.
  protected override logJson(): void {}
}
