import { waitForSignal } from '../cli/wait-for-signal.js';
import { flushCompileCache } from '../cli/compile-cache.js';
import { isLoopback } from '../core/is-loopback.js';
import { AemmError, InternalError } from '../core/errors.js';
import { AEMM_BIN, AEMM_VERSION, type AemmCommand } from './aemm-flags.js';
import { formatGoLogPrefix } from './go-values.js';
import { AemmArgsError, parseAemmArgs, type GivenAemmFlag } from './parse-aemm-args.js';
import { renderAemmHelp, renderAemmUsage } from './render-aemm-help.js';
// Serving's modules are imported up front: in the bin's bundle each dynamic import is a file of its
// own, loaded on every start of a server. Only what few runs need (saving the config, completion) stays lazy.
import { loadAemmConfig, type AemmMessage } from './load-aemm-config.js';
import { validateAemmSettings } from './validate-aemm-settings.js';
import { applyAemmIdentity } from './apply-aemm-identity.js';
import { buildAemmCassette } from './build-aemm-cassette.js';
import { toAemmMocks } from './to-aemm-mocks.js';
import { loadCassette } from '../cassette/load-cassette.js';
import { startServer } from '../server/start-server.js';

/** Where `ec2-metadata-mock` reads and writes; the process's own streams and environment by default. */
export interface AemmIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the server should stop; SIGINT or SIGTERM by default. */
  stopped: () => Promise<void>;
}

/** What AEMM's start-up line says each command mocks. */
const MOCKING: Readonly<Record<AemmCommand, string>> = {
  root: 'all mocks',
  spot: 'EC2 Spot interruption notice',
  events: 'EC2 Events',
  asglifecycle: 'EC2 ASG Lifecycle',
};

function defaultIo(): AemmIo {
  // Listen for signals right away, so a Ctrl-C during start-up still stops cleanly.
  const stopped = waitForSignal();
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stopped: () => stopped };
}

function extraFlag(flags: readonly GivenAemmFlag[], name: string): string | boolean | undefined {
  const value = flags.find((given) => given.flag.name === name)?.value;
  return typeof value === 'number' ? String(value) : value;
}

async function serve(
  command: AemmCommand,
  flags: readonly GivenAemmFlag[],
  io: AemmIo,
  log: (text: string) => void,
  startedAt: number,
  utcOffsetMinutes: number,
): Promise<number> {
  const config = await loadAemmConfig({ flags, env: io.env, now: startedAt, utcOffsetMinutes });
  const print = (message: AemmMessage): void => {
    if (message.stream === 'log') log(message.text);
    else io.stdout.write(`${message.text}\n`);
  };
  config.messages.forEach(print);
  const problems = validateAemmSettings(command, config.settings);
  if (problems.length > 0) {
    // Like cobra: the first error, a blank line (AEMM's messages end in one), then the command's usage.
    io.stderr.write(`Error: ${problems[0]}\n\n${renderAemmUsage(command)}\n`);
    return 2;
  }
  const { settings, tree } = config;
  if (settings.saveConfigToFile) {
    const { saveAemmConfig } = await import('./save-aemm-config.js');
    print(await saveAemmConfig(tree, config.home));
  }
  const cassettePath = extraFlag(flags, 'cassette');
  const withSpot = command === 'root' || command === 'spot';
  const built =
    typeof cassettePath === 'string'
      ? await loadCassette(cassettePath)
      : buildAemmCassette(
          tree,
          withSpot
            ? { action: settings.spot.action, spotTime: settings.spot.time, rebalanceRecTime: settings.spot.rebalanceRecTime }
            : undefined,
        );
  // In the chart's daemonset mode each pod serves its own node's identity (downward API).
  const identity = { nodeName: io.env.AEMM_IDENTITY_NODE_NAME || undefined, privateIp: io.env.AEMM_IDENTITY_PRIVATE_IP || undefined };
  const cassette = applyAemmIdentity(built, identity);
  // Request lines are written together, at most every 20 ms: a write to a pipe costs more than
  // several answers, and under load an event-loop turn often holds only one or two requests.
  let pending = '';
  let flushTimer: NodeJS.Timeout | undefined;
  // The log prefix has one-second resolution: the clock is read once per event-loop turn (a clock
  // read costs as much as a tenth of an answer here) and the prefix formatted once per second.
  let inTurn = false;
  const endTurn = (): void => {
    inTurn = false;
  };
  let prefixSecond = -1;
  let prefix = '';
  const flushRequestLog = (): void => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (pending !== '') io.stderr.write(pending);
    pending = '';
  };
  const server = await startServer({
    cassette,
    port: Number(settings.port),
    hostname: settings.hostname === '' ? '0.0.0.0' : settings.hostname,
    profile: 'aemm',
    mocks: toAemmMocks(command, settings, tree, startedAt),
    imdsv2: settings.imdsv2 ? 'required' : 'optional',
    control: extraFlag(flags, 'control') === true,
    freshCredentials: extraFlag(flags, 'fresh-credentials') === true,
    // AEMM's log shows no durations: the listener need not time requests.
    timeRequests: false,
    onRequest: (request) => {
      if (!inTurn) {
        inTurn = true;
        setImmediate(endTurn);
        const second = Math.floor(Date.now() / 1000);
        if (second !== prefixSecond) [prefixSecond, prefix] = [second, formatGoLogPrefix(second * 1000, utcOffsetMinutes)];
      }
      flushTimer ??= setTimeout(flushRequestLog, 20);
      pending += `${prefix}${request.method} ${request.path} ${request.abort ?? request.status}\n`;
    },
  });
  if (server.controlApi && !isLoopback(server.hostname)) {
    log(
      `Warning: the control API is on and listening on ${server.hostname}: other machines can trigger events and faults. Use -n 127.0.0.1 to keep it local.`,
    );
  }
  // The start's compiled code is kept before the server says it listens, so a script that kills it then loses nothing.
  flushCompileCache();
  // AEMM prints the port it was given; for port 0 the one it got is the useful one.
  log(`Initiating ${AEMM_BIN} for ${MOCKING[command]} on port ${settings.port === '0' ? server.port : settings.port}`);
  if (flags.length > 0) {
    const lines = [...flags].sort((a, b) => (a.flag.name < b.flag.name ? -1 : 1)).map((given) => `${given.flag.name}: ${given.shown}\n`);
    io.stdout.write(`\nFlags:\n${lines.join('')}\n`);
  }
  await io.stopped();
  await server.close();
  flushRequestLog();
  return 0;
}

/**
 * Runs `ec2-metadata-mock` with AEMM v1.12's command line, and resolves with the exit code once
 * the server stopped: 0 after SIGINT/SIGTERM (and for help and version), 1 for an unreadable
 * config file (AEMM's log.Fatalf), 2 for bad flags or values (where AEMM panicked).
 */
export async function runAemm(args: readonly string[], io: AemmIo = defaultIo()): Promise<number> {
  const startedAt = Date.now();
  const utcOffsetMinutes = -new Date(startedAt).getTimezoneOffset();
  const log = (text: string): void => {
    io.stderr.write(`${formatGoLogPrefix(Date.now(), utcOffsetMinutes)}${text}\n`);
  };
  // Commands that run (unlike --help) read AEMM's config first, so they print its warnings too.
  const printConfigWarnings = async (): Promise<void> => {
    const config = await loadAemmConfig({ flags: [], env: io.env, now: startedAt, utcOffsetMinutes }).catch(() => undefined);
    for (const message of config?.messages ?? []) {
      if (message.stream === 'log') log(message.text);
    }
  };
  try {
    const invocation = parseAemmArgs(args);
    if (invocation.action === 'version') {
      // AEMM's version template has no final newline.
      io.stdout.write(AEMM_VERSION);
      return 0;
    }
    if (invocation.action === 'help') {
      if (invocation.viaCommand) await printConfigWarnings();
      if (invocation.unknownTopic === undefined) io.stdout.write(renderAemmHelp(invocation.topic));
      else io.stderr.write(`Unknown help topic [\`${invocation.unknownTopic}\`]\n${renderAemmUsage('root', true)}`);
      return 0;
    }
    if (invocation.action === 'completion' || invocation.action === 'complete') {
      await printConfigWarnings();
      const { completeAemmWords, renderAemmCompletionScript } = await import('./render-aemm-completion.js');
      if (invocation.action === 'completion') io.stdout.write(renderAemmCompletionScript(invocation.shell, invocation.descriptions));
      else {
        const answer = completeAemmWords(invocation.words, invocation.descriptions);
        io.stdout.write(answer.stdout);
        io.stderr.write(answer.stderr);
      }
      return 0;
    }
    return await serve(invocation.command, invocation.flags, io, log, startedAt, utcOffsetMinutes);
  } catch (error) {
    if (error instanceof AemmError && error.code === 'AEMM_CONFIG') {
      log(error.message);
      return 1;
    }
    if (error instanceof InternalError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return 70;
    }
    if (error instanceof AemmArgsError) {
      // A shell's arguments are checked after the config was read, as cobra checks them after AEMM's pre-run.
      if (error.topic?.startsWith('completion ')) await printConfigWarnings();
      // cobra prints the command's usage after a flag mistake, and only a hint after an unknown command.
      io.stderr.write(
        `Error: ${error.message}\n${error.topic === undefined ? `Run '${AEMM_BIN} --help' for usage.\n` : `${renderAemmUsage(error.topic)}\n`}`,
      );
      return 2;
    }
    if (error instanceof AemmError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
