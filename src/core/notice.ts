import type { AsgState, EventCode, EventState, SpotAction } from './vocabulary.js';

/** A spot interruption notice: shows from `at`; `time` is the instant a user fixed for its `time` field. */
export interface SpotNotice {
  kind: 'spot';
  at: number;
  action: SpotAction;
  time?: number;
}

/** A rebalance recommendation, showing from `at`. */
export interface RebalanceNotice {
  kind: 'rebalance';
  at: number;
}

/** One scheduled maintenance event with every field resolved (defaults filled in, id chosen). */
export interface MaintenanceEvent {
  at: number;
  code: EventCode;
  state: EventState;
  eventId: string;
  notBefore: number;
  /** Absent when the event has none (some instance-stop events). */
  notAfter?: number;
  notBeforeDeadline?: number;
  description: string;
}

/** Scheduled maintenance events; each shows from its own `at`. */
export interface EventsNotice {
  kind: 'events';
  events: readonly MaintenanceEvent[];
}

/** An Auto Scaling target lifecycle change: `InService` before `at`, `state` from then on. */
export interface AsgNotice {
  kind: 'asg';
  at: number;
  state: AsgState;
}

/**
 * What a notice layer announces, as data: the profile turns it into bytes (IMDS's one-line JSON,
 * AEMM's tab-indented documents), so both profiles serve the same facts.
 */
export type Notice = SpotNotice | RebalanceNotice | EventsNotice | AsgNotice;

/** A notice as one request sees it: `shown` is false before its trigger or for a client mock-ip-count turned away. */
export interface NoticeState {
  notice: Notice;
  shown: boolean;
  /** The request's replay-clock instant (events show one by one from their own triggers). */
  now: number;
}

const SPOT_LEAD_MS = 120_000;

/** The instant in a spot notice's `time` field: the one given, else two minutes after the notice, none for hibernate (docs/imds-behaviour.md §5). */
export function spotActionTime(notice: Pick<SpotNotice, 'at' | 'action' | 'time'>): number {
  return notice.time ?? notice.at + (notice.action === 'hibernate' ? 0 : SPOT_LEAD_MS);
}

/** Whether any part of a notice is due at `now` (for events: any one event). */
export function isNoticeDue(notice: Notice, now: number): boolean {
  if (notice.kind === 'events') return notice.events.some((event) => now >= event.at);
  return now >= notice.at;
}

/** The first instant after `now` at which a notice shows more of itself (its trigger, a later event's), or Infinity. */
export function nextNoticeChange(notice: Notice, now: number): number {
  if (notice.kind !== 'events') return notice.at > now ? notice.at : Infinity;
  let next = Infinity;
  for (const event of notice.events) if (event.at > now && event.at < next) next = event.at;
  return next;
}
