// One rule for every string taken from outside (webhook bodies and query parameters): no U+0000
// (PostgreSQL text and jsonb cannot hold it) and no lone UTF-16 surrogate (it has no UTF-8 form).
// Such input is rejected with a 400 naming the field; it is never escaped or dropped silently.

// Without the `u` flag the regex sees UTF-16 code units, so a surrogate pair is two matches apart.
const BAD_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string's problem under the rule above, or undefined when it is storable text. */
export function textProblem(text: string): string | undefined {
  const found = BAD_TEXT.exec(text);
  if (!found) return undefined;
  return found[0] === '\0' ? 'must not contain NUL characters (U+0000)' : 'must not contain lone UTF-16 surrogates';
}

/** A string found breaking the rule: its path in the value and the problem. */
export interface TextIssue {
  path: PropertyKey[];
  message: string;
}

interface Walk {
  issues: TextIssue[];
  max: number;
  path: PropertyKey[];
}

function visitKey(walk: Walk, key: string): void {
  const problem = textProblem(key);
  if (problem) walk.issues.push({ path: [...walk.path, key], message: `name ${problem}` });
}

function visit(walk: Walk, value: unknown): void {
  if (walk.issues.length >= walk.max) return;
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) walk.issues.push({ path: [...walk.path], message: problem });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const entries: [PropertyKey, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    if (typeof key === 'string') visitKey(walk, key);
    walk.path.push(key);
    visit(walk, child);
    walk.path.pop();
  }
}

/**
 * Every string of a parsed JSON value (object keys included) that breaks the rule, at most `max`.
 * Recursive: callers bound the depth first (the body's nesting limit).
 */
export function textIssues(value: unknown, max = 20): TextIssue[] {
  const walk: Walk = { issues: [], max, path: [] };
  visit(walk, value);
  return walk.issues.slice(0, max);
}
