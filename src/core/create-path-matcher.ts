import { UsageError } from './errors.js';

/** One glob compiled to a bit-parallel automaton: bit i set means "the first i tokens matched so far". */
interface CompiledGlob {
  /** Starts at the path's first character only (the glob began with `/`), else after any `/` too. */
  anchored: boolean;
  /** 32-bit words per state. */
  words: number;
  /** Bit of the final position, in the last word. */
  acceptBit: number;
  /** The state before any character: position 0 and what stars at the start let it skip to. */
  initial: Int32Array;
  /** Per literal character code: positions whose token is that character. */
  literals: Map<number, Int32Array>;
  /** Positions whose token is `?` (one character other than `/`). */
  anyOne: Int32Array;
  /** Positions whose token is `*` (stays on any character other than `/`). */
  star: Int32Array;
  /** Positions whose token is `**` (stays on any character). */
  globstar: Int32Array;
  /** The glob's longest run of literal characters: a path without it cannot match. */
  needle: string;
}

type Token = { kind: 'char'; code: number } | { kind: 'any' } | { kind: 'star' } | { kind: 'globstar' };

const SLASH = 47;

function toTokens(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let at = 0; at < glob.length; at++) {
    const code = glob.charCodeAt(at);
    const last = tokens[tokens.length - 1];
    if (code === 42) {
      const globstar = glob.charCodeAt(at + 1) === 42;
      if (globstar) at++;
      // Stars in a row match what the widest of them matches; one token keeps the closure a single step.
      if (last?.kind === 'star' || last?.kind === 'globstar') {
        if (globstar) last.kind = 'globstar';
        continue;
      }
      tokens.push({ kind: globstar ? 'globstar' : 'star' });
    } else if (code === 63) tokens.push({ kind: 'any' });
    else tokens.push({ kind: 'char', code });
  }
  return tokens;
}

function setBit(mask: Int32Array, position: number): void {
  mask[position >>> 5]! |= 1 << (position & 31);
}

function compileGlob(glob: string): CompiledGlob {
  const tokens = toTokens(glob);
  const words = (tokens.length >>> 5) + 1;
  const literals = new Map<number, Int32Array>();
  const anyOne = new Int32Array(words);
  const star = new Int32Array(words);
  const globstar = new Int32Array(words);
  tokens.forEach((token, position) => {
    if (token.kind === 'char') {
      let mask = literals.get(token.code);
      if (!mask) literals.set(token.code, (mask = new Int32Array(words)));
      setBit(mask, position);
    } else setBit(token.kind === 'any' ? anyOne : token.kind === 'star' ? star : globstar, position);
  });
  const initial = new Int32Array(words);
  setBit(initial, 0);
  if (tokens[0]?.kind === 'star' || tokens[0]?.kind === 'globstar') setBit(initial, 1);
  return {
    anchored: glob.startsWith('/'),
    words,
    acceptBit: tokens.length & 31,
    initial,
    literals,
    anyOne,
    star,
    globstar,
    needle: longestLiteral(tokens),
  };
}

function longestLiteral(tokens: readonly Token[]): string {
  let longest = '';
  let run = '';
  for (const token of tokens) {
    if (token.kind === 'char') {
      run += String.fromCharCode(token.code);
      if (run.length > longest.length) longest = run;
    } else run = '';
  }
  return longest;
}

/** Whether a match ending at `end` is the whole path or a directory above it (with or without its slash), which covers everything under it. */
function atBoundary(path: string, end: number): boolean {
  return end === path.length || path.charCodeAt(end - 1) === SLASH || path.charCodeAt(end) === SLASH;
}

/** Per ASCII character code: the positions whose literal token is that character, one word per state. */
function toAsciiTable(glob: CompiledGlob): Int32Array {
  const table = new Int32Array(128 * glob.words);
  for (const [code, mask] of glob.literals) if (code < 128) table.set(mask, code * glob.words);
  return table;
}

/**
 * Whether `glob` matches `path` or a directory above it, in one pass over the path: the state of
 * every token position is advanced per character, so the cost is the path's length times the
 * glob's length / 32, whatever the path holds (no backtracking, no recursion, no cache).
 */
function matchesGlob(glob: CompiledGlob, ascii: Int32Array, path: string): boolean {
  const { words, initial, literals, anyOne, star, globstar, anchored } = glob;
  const length = path.length;
  const acceptMask = 1 << glob.acceptBit;
  if (words === 1) {
    // One machine word holds every position: the common case, with no allocation at all.
    const first = initial[0]!;
    const one = anyOne[0]!;
    const stay = globstar[0]!;
    const stayOne = star[0]! | stay;
    const stars = star[0]! | stay;
    let state = first;
    if ((state & acceptMask) !== 0 && atBoundary(path, 0)) return true;
    for (let at = 0; at < length; at++) {
      if (state === 0 && path.charCodeAt(at) !== SLASH) {
        // Nothing is live: only a slash can start the glob again.
        if (anchored) return false;
        const slash = path.indexOf('/', at);
        if (slash === -1) return false;
        at = slash;
      }
      const code = path.charCodeAt(at);
      let next: number;
      if (code === SLASH) {
        next = ((state & ascii[SLASH]!) << 1) | (state & stay);
        if (!anchored) next |= first;
      } else {
        const literal = code < 128 ? ascii[code]! : (literals.get(code)?.[0] ?? 0);
        next = ((state & (literal | one)) << 1) | (state & stayOne);
      }
      state = next | ((next & stars) << 1);
      if ((state & acceptMask) !== 0 && atBoundary(path, at + 1)) return true;
    }
    return false;
  }
  const last = words - 1;
  let state = Int32Array.from(initial);
  let next = new Int32Array(words);
  if ((state[last]! & acceptMask) !== 0 && atBoundary(path, 0)) return true;
  for (let at = 0; at < length; at++) {
    const code = path.charCodeAt(at);
    const slash = code === SLASH;
    const wide = code < 128 ? undefined : literals.get(code);
    let carry = 0;
    let live = 0;
    for (let word = 0; word < words; word++) {
      const current = state[word]!;
      const literal = wide ? wide[word]! : code < 128 ? ascii[code * words + word]! : 0;
      const advancing = current & (literal | (slash ? 0 : anyOne[word]!));
      const staying = current & (globstar[word]! | (slash ? 0 : star[word]!));
      next[word] = (advancing << 1) | carry | staying;
      carry = advancing >>> 31;
    }
    if (slash && !anchored) for (let word = 0; word < words; word++) next[word]! |= initial[word]!;
    // A star reached now may also match nothing: step over it (stars never follow stars).
    carry = 0;
    for (let word = 0; word < words; word++) {
      const stars = next[word]! & (star[word]! | globstar[word]!);
      next[word]! |= (stars << 1) | carry;
      carry = stars >>> 31;
      live |= next[word]!;
    }
    [state, next] = [next, state];
    if ((state[last]! & acceptMask) !== 0 && atBoundary(path, at + 1)) return true;
    // Nothing can match any more, and an anchored glob never starts again.
    if (live === 0 && anchored) return false;
  }
  return false;
}

/**
 * The one path-glob language of aemm (`--ignore`, `--redact`, fault paths): `*` matches within one
 * path segment, `**` across segments, `?` one character. A glob that starts with `/` matches from
 * the root, any other at any depth (`meta-data/tags/**`, `ipv6s`, `spot/*`, `api/token`). A match
 * on a directory covers everything under it, and a directory matches with or without its slash.
 * Matching takes time linear in the path's length. `what` names the setting in the error for an
 * empty glob.
 */
export function createPathMatcher(globs: readonly string[], what = '--ignore'): (path: string) => boolean {
  for (const glob of globs) {
    if (glob.trim() === '') throw new UsageError(`${what} "" is empty. Give a path glob such as "meta-data/tags/**".`);
  }
  const compiled = globs.map((glob) => {
    const automaton = compileGlob(glob);
    return { automaton, ascii: toAsciiTable(automaton) };
  });
  return (path) => {
    // Every literal token consumes its own character, so a match holds the glob's literal runs as
    // they are: a native substring search (linear for a needle of fixed length) rules most globs
    // out before the automaton reads the path character by character.
    for (const { automaton, ascii } of compiled) if (path.includes(automaton.needle) && matchesGlob(automaton, ascii, path)) return true;
    return false;
  };
}
