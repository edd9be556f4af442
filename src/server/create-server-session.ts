import type { Server } from 'node:http';
import { loadScenario } from '../cassette/load-scenario.js';
import { createJournal, type Journal } from '../core/journal/create-journal.js';
import type { ReplaySession } from '../core/scenarios/create-replay-session.js';
import { checkSpeed } from '../core/scenarios/create-speed-clock.js';
import type { Scenario } from '../core/scenarios/scenario.js';
import { openJournalFile, type JournalFile } from './open-journal-file.js';
import { checkReadyFile } from './write-ready-file.js';

/** The server options about scenarios, time and the journal. */
export interface SessionServerOptions {
  /** A built-in scenario's name, a scenario file's path, or a parsed scenario. */
  scenario?: Scenario | string;
  /** Run the replay clock this many times faster than the wall clock (default 1). */
  speed?: number;
  /** Append every request to this NDJSON file. */
  journal?: string;
  /** Requests the in-memory journal keeps (default 1000); 0 turns it off unless `journal` is set. */
  journalSize?: number;
  /** Write this file (atomically) once the server answers, remove it on close. */
  readyFile?: string;
}

/** What the server options above turned into, checked before anything listens. */
export interface PreparedSession {
  scenario?: Scenario;
  speed: number;
  journal?: Journal;
  journalFile?: JournalFile;
  readyFile?: string;
}

/** Checks and loads scenario, speed, journal and ready-file options; every mistake is a usage error before the server starts. */
export async function prepareSession(options: SessionServerOptions): Promise<PreparedSession> {
  const speed = options.speed === undefined ? 1 : checkSpeed(options.speed, 'speed');
  const scenario = typeof options.scenario === 'string' ? await loadScenario(options.scenario) : options.scenario;
  if (options.readyFile !== undefined) checkReadyFile(options.readyFile);
  const size = options.journalSize ?? 1000;
  const journal = size === 0 && options.journal === undefined ? undefined : createJournal({ size: size === 0 ? 1 : size });
  const journalFile = options.journal === undefined ? undefined : openJournalFile(options.journal);
  if (journal && journalFile) journal.watch((record, seq) => journalFile.write(record, seq));
  return { scenario, speed, journal, journalFile, readyFile: options.readyFile };
}

/**
 * Keeps the listener in step with the scenario: fires timed steps from a timer (the replay clock
 * runs `speed` times faster, so a step `d` ms ahead is `d / speed` ms of wall time away), stops
 * accepting connections while the instance is `refused`, and listens again once it is back.
 */
export function superviseInstance(server: Server, session: ReplaySession, speed: number, listen: () => void): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let listening = true;
  const follow = (): void => {
    if (stopped) return;
    const refused = session.instance() === 'refused';
    if (refused && listening) {
      listening = false;
      server.close();
      server.closeAllConnections();
    } else if (!refused && !listening) {
      listening = true;
      listen();
    }
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const due = session.nextDueAt();
    if (stopped || due === undefined) return;
    // setTimeout takes at most 2^31-1 ms; a later step is scheduled again when that passes.
    const wait = Math.min(Math.max(0, (due - session.engine.now()) / speed), 2 ** 31 - 1);
    timer = setTimeout(() => {
      session.tick();
      schedule();
    }, Math.ceil(wait));
  };
  const unsubscribe = session.onChange(() => {
    follow();
    schedule();
  });
  follow();
  schedule();
  return {
    stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
    },
  };
}
