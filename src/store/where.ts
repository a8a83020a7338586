// Builds parameterised WHERE clauses: values always go in as parameters, never into the text.
import type { HistoryFilter, LabelMatcher, TimeRange } from '../core/queries.ts';
import { postgresPattern } from '../core/pattern-sql.ts';

/** Collects conditions and their parameters. */
export class Where {
  readonly params: unknown[] = [];
  readonly #conditions: string[] = [];

  /** Adds a parameter and returns its `$n` reference. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds `column = value` when the value is set. */
  equals(column: string, value: string | undefined): this {
    if (value !== undefined) this.#conditions.push(`${column} = ${this.param(value)}`);
    return this;
  }

  /** Adds `column = ANY(values)` when the list is set (an empty list matches nothing). */
  anyOf(column: string, values: readonly string[] | undefined): this {
    if (values !== undefined) this.#conditions.push(`${column} = ANY(${this.param(values)}::text[])`);
    return this;
  }

  /** Adds the receive-time window. */
  range(range: TimeRange, column = 'received_at'): this {
    if (range.since !== undefined) this.#conditions.push(`${column} >= ${this.param(range.since)}::timestamptz`);
    if (range.until !== undefined) this.#conditions.push(`${column} < ${this.param(range.until)}::timestamptz`);
    return this;
  }

  /** Adds Prometheus-style label matchers; regexes are anchored as in PromQL. */
  labels(matchers: readonly LabelMatcher[]): this {
    for (const m of matchers) this.#conditions.push(this.#matcher(m));
    return this;
  }

  #matcher(m: LabelMatcher): string {
    if (m.op === '=' && m.value !== '') return `labels @> ${this.param(JSON.stringify({ [m.name]: m.value }))}::jsonb`;
    const value = `coalesce(labels ->> ${this.param(m.name)}, '')`;
    if (m.op === '=') return `${value} = ''`;
    if (m.op === '!=') return `${value} <> ${this.param(m.value)}`;
    // Only a pattern the pattern module validated and translated reaches SQL (throws otherwise).
    const pattern = this.param(postgresPattern(m.value));
    return m.op === '=~' ? `${value} ~ ${pattern}` : `${value} !~ ${pattern}`;
  }

  /** `WHERE ...` or the empty string. */
  toString(): string {
    return this.#conditions.length ? `WHERE ${this.#conditions.join(' AND ')}` : '';
  }
}

/** The WHERE clause of `GET /history`. */
export function historyWhere(filter: HistoryFilter): Where {
  return new Where()
    .equals('alertname', filter.alertname)
    .equals('status', filter.status)
    .equals('fingerprint', filter.fingerprint)
    .equals('namespace', filter.namespace)
    .equals('severity', filter.severity)
    .labels(filter.labels)
    .range(filter);
}
