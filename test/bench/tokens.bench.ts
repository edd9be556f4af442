// IMDSv2 token cost in the core: issuing and verifying (a fresh token each time, so the memo of
// verified tokens never answers), against node:crypto's HMAC-SHA256 over the same 18 bytes as the
// side-by-side reference. The core cannot use node:crypto (it runs in browsers too).
import { createHmac, randomBytes } from 'node:crypto';
import { createTokenSigner } from '../../src/core/tokens.js';

const COUNT = Number(process.env.BENCH_TOKENS ?? 20_000);
const ROUNDS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function microsPer(work: () => void): number {
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) work();
  return ((performance.now() - started) * 1000) / COUNT;
}

/** Runs the token benchmark and prints µs per issue and per verify, with node:crypto's HMAC beside them. */
export default async function benchTokens(): Promise<void> {
  const secret = randomBytes(32).toString('hex');
  const nonce = randomBytes(8);
  const body = randomBytes(18);
  const issue = (): void => {
    createTokenSigner(secret).issue(Date.now() + 60_000, nonce);
  };
  const signer = createTokenSigner(secret);
  let expiry = Date.now() + 60_000;
  const verify = (): void => {
    // A fresh signer per check would measure key set-up; one signer with a new token each time measures the MAC.
    const token = signer.issue(expiry++, nonce);
    signer.check(token, 0);
  };
  const issueOnly = (): void => {
    signer.issue(expiry++, nonce);
  };
  const nodeHmac = (): void => {
    createHmac('sha256', secret).update(body).digest();
  };
  const rows: Array<[string, () => void]> = [
    ['issue (new signer)', issue],
    ['issue', issueOnly],
    ['issue + verify', verify],
    ['node:crypto hmac', nodeHmac],
  ];
  for (const [, work] of rows) microsPer(work);
  const times = new Map<string, number[]>(rows.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) for (const [name, work] of rows) times.get(name)!.push(microsPer(work));
  console.log(`${COUNT} operations per round, ${ROUNDS} rounds interleaved, median`);
  const reference = median(times.get('node:crypto hmac')!);
  for (const [name] of rows) {
    const us = median(times.get(name)!);
    console.log(`${name.padEnd(20)} ${us.toFixed(2).padStart(7)} µs   ${(us / reference).toFixed(2)}× node:crypto hmac`);
  }
}
