/** The cassette format identifier written by and accepted from this version of aemm. */
export const CASSETTE_FORMAT = 'aemm-cassette/1';

/** One recorded response: what IMDS answered for one path. */
export interface Entry {
  status: number;
  /** Response headers as recorded, lower-case names (content-type, last-modified, …). */
  headers: Record<string, string>;
  /** The body as UTF-8 text, byte-exact. Exactly one of body / bodyBase64 is present. */
  body?: string;
  /** The body as base64, for bytes that are not valid UTF-8 (user-data). */
  bodyBase64?: string;
}

/** Facts about where and how a cassette was made. */
export interface CassetteMeta {
  recordedAt: string;
  source: string;
  recorder: string;
  instanceType?: string;
  region?: string;
  availabilityZone?: string;
  /** Paths whose secrets were replaced by well-formed fakes at record time. */
  redacted: string[];
  /** True when the cassette was written by hand or generated, not recorded from an instance. */
  synthetic: boolean;
  [extra: string]: unknown;
}

/** One recorded instance: its meta and its entries keyed by request path. */
export interface Cassette {
  format: typeof CASSETTE_FORMAT;
  meta: CassetteMeta;
  /**
   * Keys are absolute paths: directories end in "/" (`/latest/meta-data/`), leaves do not
   * (`/latest/meta-data/ami-id`). `/` is the version list.
   */
  entries: Record<string, Entry>;
}
