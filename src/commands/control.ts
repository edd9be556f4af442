import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import type { ReplayStatus } from '../core/replay-engine.js';
import {
  ASG_STATES,
  CONTROL_VERB_NAMES,
  EVENT_CODES,
  EVENT_STATES,
  LAYER_KINDS,
  SESSION_VERBS,
  SPOT_ACTIONS,
  TAGS_MODES,
  TOKEN_MODES,
} from '../core/vocabulary.js';
import type { JournalPage } from '../cli/read-journal.js';

const list = (values: readonly string[]): string => `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

/** Trigger, change or clear mock layers of a running `aemm replay`. */
export default class Control extends BaseCommand {
  static override hiddenAliases = ['trigger'];
  static override enableJsonFlag = true;
  static override summary = 'Trigger, change or clear mock layers of a running aemm replay (alias: aemm trigger).';
  static override description =
    'Talks to the control API of a running `aemm replay` (or `ec2-metadata-mock`) under /__aemm/. ' +
    'Delays count from now; without --delay or --at a notice shows at once. Prints the new state.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> spot --action stop',
    '<%= config.bin %> <%= command.id %> spot --delay 30s --url http://127.0.0.1:1338',
    '<%= config.bin %> <%= command.id %> event --code instance-retirement --state active',
    '<%= config.bin %> <%= command.id %> asg --state Terminated --delay 10s',
    '<%= config.bin %> <%= command.id %> tags --tag Name=web --mode replace',
    "<%= config.bin %> <%= command.id %> fault --path 'api/token' --hang",
    '<%= config.bin %> <%= command.id %> advance --by 2m',
    '<%= config.bin %> <%= command.id %> clear --kind spot',
    '<%= config.bin %> trigger rebalance',
    '<%= config.bin %> <%= command.id %> signal --name cancel',
    "<%= config.bin %> <%= command.id %> journal --path 'spot/instance-action' --since 2026-01-07T01:03:47Z",
  ];

  static override args = {
    verb: Args.string({ description: 'What to do.', required: true, options: [...CONTROL_VERB_NAMES, ...SESSION_VERBS] }),
  };

  static override flags = {
    url: Flags.string({ char: 'u', description: 'Base URL of the running replay.', default: 'http://127.0.0.1:1338', env: 'AEMM_URL' }),
    action: Flags.string({ description: `spot: ${list(SPOT_ACTIONS)}.`, options: [...SPOT_ACTIONS] }),
    time: Flags.string({ description: 'spot: the notice\'s "time" field (RFC 3339).' }),
    delay: Flags.string({ description: 'Show it after this long (30, 30s, 2m).' }),
    at: Flags.string({ description: 'Show it at this RFC 3339 time; for `time`, the instant to jump to.' }),
    code: Flags.string({ description: `event: ${list(EVENT_CODES)}.` }),
    state: Flags.string({ description: `event: ${list(EVENT_STATES)}. asg: the target state, ${list(ASG_STATES)} (default Terminated).` }),
    'not-before': Flags.string({ description: 'event: NotBefore (RFC 3339).' }),
    'not-after': Flags.string({ description: 'event: NotAfter (RFC 3339).' }),
    'not-before-deadline': Flags.string({ description: 'event: NotBeforeDeadline (RFC 3339).' }),
    tag: Flags.string({ description: 'tags: KEY=VALUE; repeatable.', multiple: true }),
    mode: Flags.string({ description: `tags: ${list(TAGS_MODES)}. imdsv2: ${list(TOKEN_MODES)}.` }),
    path: Flags.string({
      description: 'fault: path glob (spot/*, api/token, /latest/meta-data/**). journal: only paths matching this glob.',
    }),
    status: Flags.integer({ description: 'fault: answer this HTTP status. throttle: answer this status instead of dropping.' }),
    latency: Flags.string({ description: 'fault: add this latency (200ms, 2s).' }),
    drop: Flags.boolean({ description: 'fault: close the connection without an answer.' }),
    hang: Flags.boolean({ description: 'fault: never answer.' }),
    times: Flags.integer({ description: 'fault: only for this many requests.', min: 1 }),
    rate: Flags.integer({ description: 'throttle: requests per second.', min: 1 }),
    burst: Flags.integer({ description: 'throttle: requests allowed in a burst.', min: 1 }),
    by: Flags.string({ description: 'advance: how far to move the replay clock (90s, 2m, 1h).' }),
    kind: Flags.string({ description: `clear: ${list(LAYER_KINDS)} (default: all).` }),
    file: Flags.string({ description: 'apply: a layer file (JSON) to stack on the current settings.' }),
    name: Flags.string({ description: 'signal: the control trigger a scenario step waits for ({"on": {"control": NAME}}).' }),
    since: Flags.string({ description: 'journal: entries after this sequence number, or from this RFC 3339 replay time on.' }),
    method: Flags.string({ description: 'journal: only this HTTP method.' }),
    token: Flags.string({
      description: 'journal: only requests whose token was absent, presented, valid, invalid (or present: any).',
      options: ['absent', 'presented', 'valid', 'invalid', 'present'],
    }),
    limit: Flags.integer({ description: 'journal: at most this many entries (oldest first).', min: 1, max: 10_000 }),
  };

  /** Sends the request and prints the new state (or, for `journal`, the matching requests). */
  async run(): Promise<ReplayStatus | JournalPage> {
    const { args, flags, raw } = await this.parse(Control);
    const { checkControlFlags } = await import('../cli/control-verb-flags.js');
    checkControlFlags(
      args.verb,
      raw.flatMap((token) => (token.type === 'flag' ? [token.flag] : [])),
    );
    if (args.verb === 'journal') {
      const { readJournal, renderJournal } = await import('../cli/read-journal.js');
      const page = await readJournal(flags.url, {
        path: flags.path,
        since: flags.since,
        method: flags.method,
        token: flags.token,
        limit: flags.limit,
      });
      if (!this.jsonEnabled()) this.log(renderJournal(page));
      return page;
    }
    const { buildControlBody } = await import('../cli/build-control-body.js');
    const { sendControl } = await import('../cli/send-control.js');
    const { renderStatus } = await import('../cli/render-status.js');
    const body = await buildControlBody(args.verb, flags);
    const status = await sendControl(flags.url, args.verb, body);
    if (!this.jsonEnabled()) this.log(renderStatus(status));
    return status;
  }
}
