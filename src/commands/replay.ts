import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { parsePort } from '../cli/parse-flags.js';

/** Serve a cassette as a local IMDS. */
export default class Replay extends BaseCommand {
  static override summary = 'Serve a cassette as a local EC2 instance metadata service.';
  static override description =
    'Replays CASSETTE (default: the embedded recording) on http://HOSTNAME:PORT the way real IMDS answers: ' +
    'listings, 301s, IMDSv2 tokens, error pages. Credentials are kept fresh. Stop with Ctrl-C.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> recordings/default.json --port 0 --imdsv2',
    '<%= config.bin %> <%= command.id %> --hostname 0.0.0.0 --quiet',
  ];

  static override args = {
    cassette: Args.string({ description: 'Cassette file to serve (default: recordings/default.json, embedded).' }),
  };

  static override flags = {
    port: Flags.custom<number>({ char: 'p', description: 'TCP port; 0 picks a free one.', default: 1338, parse: async (input) => parsePort(input) })(),
    hostname: Flags.string({ char: 'n', description: 'Address to listen on.', default: '127.0.0.1' }),
    imdsv2: Flags.boolean({ char: 'I', description: 'Require IMDSv2 tokens on every request (401 without one).', default: false }),
    quiet: Flags.boolean({ char: 'q', description: 'Do not log each request.', default: false }),
  };

  /** Runs until SIGINT/SIGTERM; resolves with what was served. */
  async run(): Promise<{ url: string; requests: number }> {
    const { args, flags } = await this.parse(Replay);
    const { serveUntilSignal } = await import('../cli/serve-until-signal.js');
    return serveUntilSignal({ cassettePath: args.cassette, port: flags.port, hostname: flags.hostname, imdsv2: flags.imdsv2, quiet: flags.quiet });
  }
}
