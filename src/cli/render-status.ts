import type { ReplayStatus } from '../core/replay-engine.js';
import type { SessionStatus } from '../core/scenarios/create-replay-session.js';
import { colors } from './colors.js';

/** The state of a replay in a few lines: clock, token mode, and each mock with when it shows. */
export function renderStatus(status: ReplayStatus & Partial<SessionStatus>): string {
  const offset =
    status.offsetMs === 0 ? '' : colors.dim(` (moved ${status.offsetMs > 0 ? '+' : ''}${Math.round(status.offsetMs / 1000)}s)`);
  const lines = [
    `${colors.dim('clock '.padEnd(10))}${status.now}${offset}${status.speed !== undefined && status.speed !== 1 ? colors.yellow(` at ${status.speed}× speed`) : ''}`,
    `${colors.dim('tokens '.padEnd(10))}${status.imdsv2}`,
  ];
  if (status.mocks.length === 0) lines.push(`${colors.dim('mocks '.padEnd(10))}none`);
  for (const mock of status.mocks) {
    const when = mock.at ? (mock.active ? colors.green(` active since ${mock.at}`) : colors.yellow(` pending until ${mock.at}`)) : '';
    lines.push(`${colors.dim(mock.kind.padEnd(10))}${mock.detail}${when}`);
  }
  if (status.mockIpCount !== undefined)
    lines.push(`${colors.dim('clients '.padEnd(10))}notices for the first ${status.mockIpCount} addresses`);
  // Present when the replay sends EventBridge events to SQS (aemm replay --sqs-queue-url).
  const bridge = (status as ReplayStatus & { eventBridge?: { queueUrl: string; sent: number; pending: number; lastError?: string } })
    .eventBridge;
  if (bridge) {
    const trouble = bridge.lastError ? colors.yellow(`, retrying: ${bridge.lastError}`) : '';
    lines.push(`${colors.dim('events '.padEnd(10))}${bridge.sent} sent, ${bridge.pending} pending to ${bridge.queueUrl}${trouble}`);
  }
  if (status.scenario) {
    lines.push(`${colors.dim('scenario '.padEnd(10))}${status.scenario.name}, instance ${status.scenario.instance}`);
    for (const step of status.scenario.steps) {
      const when = step.firedAt
        ? colors.green(`fired ${step.firedAt}`)
        : step.dueAt
          ? colors.yellow(`due ${step.dueAt}`)
          : colors.yellow(step.waitingFor ? `waits for ${step.waitingFor}` : 'after the previous step');
      lines.push(`${colors.dim('  step '.padEnd(10))}${step.name} ${when}`);
    }
  }
  return lines.join('\n');
}
