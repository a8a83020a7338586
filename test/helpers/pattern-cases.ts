// The shared table of pattern cases (test/fixtures/pattern-cases.json): the in-process matcher and
// the SQL translation are both checked against it. `@x1000` in a value stands for 1000 times `x`.
import { readFileSync } from 'node:fs';

/** A pattern with values it must and must not match (whole-value). */
export interface MatchingCase {
  pattern: string;
  yes: string[];
  no: string[];
}

/** The table. */
export interface PatternCases {
  matching: MatchingCase[];
  invalid: { pattern: string; error: string }[];
  notInSql: MatchingCase[];
}

const expand = (text: string): string => {
  const m = /^@(.)(\d+)$/su.exec(text);
  return m ? m[1]!.repeat(Number(m[2])) : text;
};

function expandCase(c: MatchingCase): MatchingCase {
  return { pattern: expand(c.pattern), yes: c.yes.map(expand), no: c.no.map(expand) };
}

/** Loads the table with `@` shorthands expanded. */
export function patternCases(): PatternCases {
  const raw = JSON.parse(readFileSync(new URL('../fixtures/pattern-cases.json', import.meta.url), 'utf8')) as PatternCases;
  return {
    matching: raw.matching.map(expandCase),
    invalid: raw.invalid.map((c) => ({ ...c, pattern: expand(c.pattern) })),
    notInSql: raw.notInSql.map(expandCase),
  };
}
