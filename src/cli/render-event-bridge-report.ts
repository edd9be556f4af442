import type { EventBridgeReport } from '../eventbridge/sqs/start-event-bridge.js';
import { colors } from './colors.js';

/**
 * One log line per delivery outcome: a sent event, a failed attempt that will be retried, or at
 * exit the events that never went (each as a JSON line, so nothing is lost with them).
 */
export function renderEventBridgeReport(report: EventBridgeReport, at: Date): string {
  const time = colors.dim(at.toISOString().slice(11, 23));
  if (report.type === 'sent') {
    return `${time} ${colors.blue('event')} ${report.event['detail-type']} ${colors.dim(`${report.event.time} id ${report.event.id}${report.attempts > 1 ? `, after ${report.attempts} attempts` : ''}`)}`;
  }
  if (report.type === 'retry') {
    const kept = `${report.pending} event${report.pending === 1 ? '' : 's'} kept`;
    return `${colors.yellow('Warning:')} SendMessage failed (${report.error}); ${kept}, retrying in ${report.retryInMs} ms. IMDS keeps serving.`;
  }
  if (report.type === 'overflow') {
    return `${colors.red('Error:')} ${report.pending} EventBridge events are already waiting for SQS; this one is not queued, and follows as a JSON line:\n${JSON.stringify(report.event)}`;
  }
  const count = `${report.events.length} EventBridge event${report.events.length === 1 ? '' : 's'}`;
  return [
    `${colors.red('Error:')} ${count} could not be sent before exit${report.lastError ? ` (last error: ${report.lastError})` : ''}. ${report.events.length === 1 ? 'It follows' : 'They follow'} as JSON lines:`,
    ...report.events.map((event) => JSON.stringify(event)),
  ].join('\n');
}
