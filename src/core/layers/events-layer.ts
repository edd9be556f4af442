import type { Layer } from '../layer.js';
import type { MaintenanceEvent } from '../notice.js';
import { sha256 } from '../sha256.js';
import type { EventConfig } from './layer-settings.js';

const DAY = 86_400_000;
/** AEMM's default event id, so its users see a familiar value for the first event. */
const FIRST_EVENT_ID = 'instance-event-1234567890abcdef0';

function eventId(event: EventConfig, index: number): string {
  if (event.eventId) return event.eventId;
  if (index === 0) return FIRST_EVENT_ID;
  const digest = sha256(new TextEncoder().encode(`${index}:${event.code}:${event.at}`));
  return `instance-event-${[...digest.subarray(0, 9)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 17)}`;
}

/** An event with its defaults filled in: a week's window from its start, a deadline two days later. */
function toMaintenanceEvent(event: EventConfig, index: number): MaintenanceEvent {
  const notBefore = event.notBefore ?? event.at;
  return {
    at: event.at,
    code: event.code,
    state: event.state,
    eventId: eventId(event, index),
    notBefore,
    notAfter: event.notAfter === null ? undefined : (event.notAfter ?? notBefore + 7 * DAY),
    notBeforeDeadline: event.notBeforeDeadline === null ? undefined : (event.notBeforeDeadline ?? notBefore + 9 * DAY),
    description: event.description ?? `The instance is scheduled for ${event.code}`,
  };
}

/**
 * Scheduled maintenance: each event shows from its trigger on, active ones under
 * `events/maintenance/scheduled` and completed or canceled ones under `history` (docs/imds-behaviour.md §5).
 */
export function createEventsLayer(events: readonly EventConfig[]): Layer {
  return { name: 'events', notice: { kind: 'events', events: events.map(toMaintenanceEvent) } };
}
