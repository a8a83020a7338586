// The one home of every regular expression the service takes from outside (API label matchers,
// filters, target and policy patterns from config, custom resources and Secrets): parsed and
// matched with RE2 semantics (re2js, linear time, as Alertmanager), anchored the PromQL way, and
// limited in length and compiled size, so no pattern can freeze the process. docs/adr/0005.
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';

/** Longest pattern accepted (characters). */
export const MAX_PATTERN_LENGTH = 1024;
/** Largest compiled program accepted (RE2 instructions): bounds match cost per character. */
export const MAX_PROGRAM_SIZE = 5_000;

/** A validated pattern: `test` is an anchored (whole-value) match in time linear in the input. */
export interface Pattern {
  readonly source: string;
  test(value: string): boolean;
}

/** Why a pattern was refused; the message is safe to show and names the rule. */
export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const quote = (source: string): string => JSON.stringify(source.length > 80 ? `${source.slice(0, 80)}…` : source);

/** RE2's parser message, reworded where it names a feature RE2 leaves out on purpose. */
function syntaxProblem(source: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/invalid escape sequence: `\\[1-9]/.test(message)) return `${quote(source)} uses a backreference, which RE2 syntax does not support`;
  if (/Perl syntax: `\(\?[=!]|named capture: `\(\?<[=!]/.test(message)) return `${quote(source)} uses a lookaround, which RE2 syntax does not support`;
  return `${quote(source)} is not a valid RE2 regular expression: ${message.replace(/^error parsing regexp: /, '')}`;
}

function compile(source: string): Pattern {
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  let bare: RE2JS;
  try {
    // Compiled alone first: a pattern such as `.*)|(.*` must not escape the anchoring group.
    bare = RE2JS.compile(source);
  } catch (err) {
    throw new PatternError(syntaxProblem(source, err));
  }
  if (bare.programSize() > MAX_PROGRAM_SIZE) {
    throw new PatternError(`${quote(source)} is too complex (compiled size ${bare.programSize()}, at most ${MAX_PROGRAM_SIZE}); simplify counted repetitions`);
  }
  const anchored = RE2JS.compile(`^(?:${source})$`);
  return { source, test: (value) => anchored.matches(value) };
}

/** `compute(source)` memoised in `cache`; a refusal is remembered like a result and thrown again. */
export function memoised<T extends object>(cache: LRUCache<string, T | PatternError>, source: string, compute: (source: string) => T): T {
  let entry = cache.get(source);
  if (entry === undefined) {
    try {
      entry = compute(source);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      entry = err;
    }
    cache.set(source, entry);
  }
  if (entry instanceof PatternError) throw entry;
  return entry;
}

/** The message of the {@link PatternError} `check` throws, or undefined when it passes. */
export function refusal(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof PatternError) return err.message;
    throw err;
  }
}

const cache = new LRUCache<string, Pattern | PatternError>({ max: 2_000 });

/** The compiled pattern, or throws {@link PatternError}; compiled forms are cached. */
export function compilePattern(source: string): Pattern {
  return memoised(cache, source, compile);
}

/** Why `source` is refused, or undefined when it is a valid pattern. */
export function patternProblem(source: string): string | undefined {
  return refusal(() => compilePattern(source));
}

/** True when the whole of `value` matches `source` (which must be valid). */
export function matchesPattern(source: string, value: string): boolean {
  return compilePattern(source).test(value);
}

/** The first refused pattern among label matchers, as `<path>[i].value: <why>`, or undefined. */
export function matchersProblem(matchers: readonly { op: string; value: string }[] | undefined, path: string): string | undefined {
  for (const [i, m] of (matchers ?? []).entries()) {
    const problem = m.op.includes('~') ? patternProblem(m.value) : undefined;
    if (problem) return `${path}[${i}].value: ${problem}`;
  }
  return undefined;
}
