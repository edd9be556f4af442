/**
 * Differences from AEMM v1.12.0 that we keep on purpose, each with its reason (README's
 * "Differences from AEMM" lists every one). A difference is accepted only when the named
 * comparison differs and, after `explain` rewrites AEMM's side as we answer on purpose, the two
 * are equal; anything else fails the differential test, and so does an entry that matches
 * nothing any more.
 */
export interface AcceptedDifference {
  reason: string;
  /** Which half of the table it shows in (so each half can tell when an entry went stale); `both` is never stale. */
  half: 'serve' | 'cli' | 'both';
  /** Comparison ids it covers (exact), or a pattern for a family of them. */
  ids: readonly string[] | RegExp;
  /** AEMM's side as ours is expected to be; without it, the listed ids may differ in any way. */
  explain?: (aemm: string, ours: string) => { aemm: string; ours: string };
}

const KEEP_ALIVE = /^(?:Connection: keep-alive|Keep-Alive: timeout=\d+)$/;

/** The differences we keep, by name. */
export const ACCEPTED_DIFFERENCES: Readonly<Record<string, AcceptedDifference>> = {
  'keep-alive-headers': {
    half: 'both',
    reason:
      'node:http announces keep-alive (`Connection: keep-alive`, `Keep-Alive: timeout=5`); Go keeps the connection open without saying so',
    ids: /./,
    explain: (aemm, ours) => ({
      aemm,
      ours: ours
        .split('\n')
        .filter((line) => !KEEP_ALIVE.test(line))
        .join('\n'),
    }),
  },
  'no-panic': {
    half: 'cli',
    reason:
      'after a mistake AEMM panics and prints a Go stack trace; the drop-in stops after the same message and usage, with the same exit code',
    ids: /^error: |^spot -v$|^completion bash extra$/,
    explain: (aemm, ours) => ({ aemm: aemm.replace(/\npanic: [\s\S]*?(?=\nfile |$)/, '\n'), ours }),
  },
  'completion-scripts': {
    half: 'cli',
    reason: 'the completion scripts are our own (cobra writes its own); both ask the binary through `__complete`, whose answers match',
    ids: ['completion bash', 'completion zsh', 'completion fish', 'completion powershell'],
  },
  'port-checked': {
    half: 'cli',
    reason: 'a port that is not a TCP port is one line and exit 2; AEMM announces it is serving, then panics',
    ids: ['error: -p abc', 'error: -p 99999'],
  },
  'trigger-times-checked': {
    half: 'cli',
    reason: 'every trigger time is checked; AEMM ignores a --rebalance-trigger-time it cannot parse and serves without one',
    ids: ['error: --rebalance-trigger-time x'],
  },
  'json-syntax-wording': {
    half: 'cli',
    reason: "a config file that is not JSON is reported in JavaScript's words (with the position), not encoding/json's",
    ids: ['error: -c {home}/bad.json'],
  },
  'env-value-wording': {
    half: 'cli',
    reason:
      'an AEMM_* value of the wrong type is one line naming the variable; AEMM prints a viper decoding error, the usage and a stack trace',
    ids: ['error: AEMM_MOCK_DELAY_SEC=x'],
  },
  'no-substring-routes': {
    half: 'serve',
    reason: 'unknown paths answer 404; AEMM matched paths by substring, so some unknown paths returned unrelated listings',
    ids: ['default tree › GET /latest/meta-data/instance', 'default tree › GET /latest/meta-data/ami'],
  },
  'path-cleaning': {
    half: 'serve',
    reason:
      "AEMM's router answers `.`, `..` and empty segments with a 301 to the cleaned path (which the AWS JS SDK cannot follow for `//latest/…`); the drop-in serves `//…` and repeated inner slashes directly, answers dot segments 404, and strips any number of trailing slashes",
    ids: [
      'default tree › GET /latest/meta-data/../meta-data/ami-id',
      'default tree › GET /latest/meta-data/./ami-id',
      'default tree › GET /latest/meta-data//ami-id',
      'default tree › GET //latest/meta-data/instance-id',
      'default tree › GET /latest/meta-data/instance-id//',
    ],
  },
  'encoded-slash': {
    half: 'serve',
    reason: 'a %2F in the path is refused with 400 rather than decoded into a separator, so an encoded slash never reaches another route',
    ids: ['default tree › GET /latest/meta-data%2Finstance-id'],
  },
  'bad-escape-framing': {
    half: 'serve',
    reason: "a bad %-escape gets Go's `400 Bad Request` text, framed with Content-Length (node) rather than by closing the connection (Go)",
    ids: ['default tree › GET /latest/meta-data/%zz', 'default tree › GET /latest/meta-data/instance-id%'],
    explain: (aemm, ours) => ({
      aemm,
      ours: ours
        .split('\n')
        .filter((line) => line !== 'Content-Length: <body length>')
        .join('\n'),
    }),
  },
  'http-parser': {
    half: 'serve',
    reason:
      "node's HTTP parser, not Go's, judges malformed requests: each gets a 400 text answer and a closed connection, but the two parsers draw the line in different places (Host, HTTP/1.0, lower-case methods, bare LF, `*`, a missing version)",
    ids: [
      'default tree › space before a header colon',
      'default tree › request line with two words',
      'default tree › unknown HTTP version',
      'default tree › HTTP/1.1 without Host',
      'default tree › HTTP/1.0 without Host',
      'default tree › a lower-case method',
      'default tree › bare LF line ends',
      'default tree › an asterisk target',
    ],
  },
};

/** The name of the accepted difference that explains one comparison, if any. */
export function findAcceptedDifference(id: string, aemm: string, ours: string): string[] | undefined {
  let left = aemm;
  let right = ours;
  const used: string[] = [];
  for (const [name, accepted] of Object.entries(ACCEPTED_DIFFERENCES)) {
    const covers = Array.isArray(accepted.ids) ? accepted.ids.includes(id) : (accepted.ids as RegExp).test(id);
    if (!covers || left === right) continue;
    if (!accepted.explain) return [...used, name];
    const next = accepted.explain(left, right);
    if (next.aemm !== left || next.ours !== right) used.push(name);
    left = next.aemm;
    right = next.ours;
  }
  return left === right ? used : undefined;
}
