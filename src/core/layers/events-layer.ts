import { formatImdsJson } from '../format-imds-json.js';
import type { Layer, Patch } from '../layer.js';
import { sha256 } from '../sha256.js';
import type { ClientGate } from './client-gate.js';
import { formatEventDate } from './format-times.js';
import type { EventMock } from './mock-config.js';
import { createTextEntry } from './text-entry.js';

const DIR = '/latest/meta-data/events/maintenance/';
const DAY = 86_400_000;
/** AEMM's default event id, so its users see a familiar value for the first event. */
const FIRST_EVENT_ID = 'instance-event-1234567890abcdef0';

function eventId(event: EventMock, index: number): string {
  if (event.eventId) return event.eventId;
  if (index === 0) return FIRST_EVENT_ID;
  const digest = sha256(new TextEncoder().encode(`${index}:${event.code}:${event.at}`));
  return `instance-event-${[...digest.subarray(0, 9)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 17)}`;
}

function describe(event: EventMock): string {
  const text = event.description ?? `The instance is scheduled for ${event.code}`;
  // History entries carry their outcome in front of the description (DOC-EVT).
  if (event.state === 'completed') return `[Completed] ${text}`;
  if (event.state === 'canceled') return `[Canceled] ${text}`;
  return text;
}

/** One event as IMDS prints it, keys in the user guide's order plus AEMM's NotBeforeDeadline. */
function toImdsEvent(event: EventMock, index: number): Record<string, string> {
  const notBefore = event.notBefore ?? event.at;
  return {
    NotBefore: formatEventDate(notBefore),
    Code: event.code,
    Description: describe(event),
    EventId: eventId(event, index),
    NotAfter: formatEventDate(event.notAfter ?? notBefore + 7 * DAY),
    NotBeforeDeadline: formatEventDate(event.notBeforeDeadline ?? notBefore + 9 * DAY),
    State: event.state,
  };
}

/**
 * Scheduled maintenance: `events/maintenance/scheduled` lists active events whose trigger has
 * passed (`[]` before), `history` the completed and canceled ones.
 */
export function createEventsLayer(events: readonly EventMock[], gate: ClientGate): Layer {
  const rendered = events.map(toImdsEvent);
  const patches = new Map<string, Patch>();
  return {
    name: 'events',
    patch({ now, clientAddress }) {
      const due = events.map((event) => now >= event.at);
      // Like the other notices, a client takes a mock-ip-count place only once something is due.
      const allowed = due.some(Boolean) && gate.allows(clientAddress);
      const visible = due.map((isDue) => allowed && isDue);
      const key = visible.map((v) => (v ? '1' : '0')).join('');
      let patch = patches.get(key);
      if (!patch) {
        const scheduled = rendered.filter((_, i) => visible[i] && events[i]!.state === 'active');
        const history = rendered.filter((_, i) => visible[i] && events[i]!.state !== 'active');
        patch = new Map([
          [`${DIR}scheduled`, createTextEntry(formatImdsJson(scheduled))],
          [`${DIR}history`, createTextEntry(formatImdsJson(history))],
        ]);
        patches.set(key, patch);
      }
      return patch;
    },
  };
}
