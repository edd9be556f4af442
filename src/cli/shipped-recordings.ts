import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DEFAULT_CASSETTE_PATH, loadCassette } from '../cassette/load-cassette.js';
import { CassetteError } from '../core/errors.js';
import { listFeatures } from '../differ/list-features.js';

/** The folder of the recordings shipped with the package. */
export const RECORDINGS_DIR = dirname(DEFAULT_CASSETTE_PATH);

/** A cassette argument made concrete: the file to read and how to name it to the user. */
export interface CassetteChoice {
  path: string;
  /** What the user typed, or `name (shipped)` for a shipped recording found by name. */
  label: string;
  /** The shipped recording's name, when it is one. */
  name?: string;
}

// A name is a bare word like m7i-large: no separator, so it can never be mistaken for a path.
const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

/** Names of the shipped recordings (file names without `.json`), sorted. */
export async function listShippedRecordings(): Promise<string[]> {
  const files = await readdir(RECORDINGS_DIR).catch(() => []);
  return files
    .filter((file) => file.endsWith('.json'))
    .map((file) => basename(file, '.json'))
    .sort();
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/**
 * Resolves a cassette argument: a file path as given, else the name of a shipped recording
 * (`m7i-large` or `m7i-large.json`). A path that matches neither fails with one line that says
 * where the shipped recordings are and lists their names.
 */
export async function chooseCassette(input: string): Promise<CassetteChoice> {
  if (await isFile(input)) return { path: input, label: input };
  if (NAME.test(input)) {
    const name = input.replace(/\.json$/, '');
    const path = join(RECORDINGS_DIR, `${name}.json`);
    if (await isFile(path)) return { path, label: `${name} (shipped)`, name };
  }
  const names = await listShippedRecordings();
  // A real file that stat could not read (permissions, a directory) keeps loadCassette's own error.
  if ((await stat(input).catch(() => undefined)) !== undefined) return { path: input, label: input };
  throw new CassetteError(
    input,
    'the file does not exist',
    `Give a cassette path, or the name of a shipped recording (${names.join(', ')}) from ${RECORDINGS_DIR}; "aemm recordings" lists them.`,
  );
}

/** One shipped recording as `aemm recordings` lists it. */
export interface RecordingListing {
  /** What to pass wherever a cassette goes (`aemm replay NAME`). */
  name: string;
  path: string;
  instanceType: string | null;
  region: string | null;
  availabilityZone: string | null;
  entries: number;
  synthetic: boolean;
  /** What is special about it, read from its entries. */
  features: string[];
}

/** Loads every shipped recording (so a broken one fails here, by name) and describes it. */
export async function describeShippedRecordings(): Promise<RecordingListing[]> {
  const listings: RecordingListing[] = [];
  for (const name of await listShippedRecordings()) {
    const path = join(RECORDINGS_DIR, `${name}.json`);
    const cassette = await loadCassette(path);
    const { meta } = cassette;
    listings.push({
      name,
      path,
      instanceType: meta.instanceType ?? null,
      region: meta.region ?? null,
      availabilityZone: meta.availabilityZone ?? null,
      entries: Object.keys(cassette.entries).length,
      synthetic: meta.synthetic,
      features: listFeatures(cassette),
    });
  }
  return listings;
}
