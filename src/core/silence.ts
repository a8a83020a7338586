// Alertmanager silences as the dashboard makes and shows them: matchers in Alertmanager's API v2
// shape ({name, value, isRegex, isEqual}) and Alertmanager's matching semantics (pkg/labels
// Matcher.Matches): a missing label reads as the empty string, `=~`/`!~` are anchored RE2 matches
// (core/pattern.ts), and a silence matches an alert when every matcher does. The silence itself
// lives in Alertmanager; the service records who created or expired one (SilenceActionStore).
import { compilePattern, PatternError } from './pattern.ts';

/** One matcher of a silence (Alertmanager API v2 `matcher`). */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** Alertmanager's silence states (gettableSilence.status.state). */
export const SILENCE_STATES = ['active', 'pending', 'expired'] as const;

/** A silence state. */
export type SilenceState = (typeof SILENCE_STATES)[number];

/** A silence as Alertmanager holds it (gettableSilence). */
export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: SilenceState;
  updatedAt: string;
}

/** A new silence (postableSilence without `id`). */
export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** The value a matcher reads: the label's, or '' when the alert has no such label (Alertmanager's rule). */
function labelValue(labels: Readonly<Record<string, string>>, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] ?? '') : '';
}

/** True when `m` matches `labels` (an invalid or unsupported regex matches nothing, never throws). */
export function matcherMatches(m: SilenceMatcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labelValue(labels, m.name);
  let hit: boolean;
  if (!m.isRegex) hit = value === m.value;
  else {
    try {
      hit = compilePattern(m.value).test(value);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      return false;
    }
  }
  return m.isEqual ? hit : !hit;
}

/** True when `m` matches the empty string (Alertmanager refuses a silence whose matchers all do). */
export function matchesEmpty(m: SilenceMatcher): boolean {
  return matcherMatches(m, {});
}

/** True when every matcher of `matchers` matches `labels` (a silence with none matches nothing). */
export function matchersMatch(matchers: readonly SilenceMatcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.length > 0 && matchers.every((m) => matcherMatches(m, labels));
}

/** True when `silence` is in force now or later (active or pending). */
export const isLive = (silence: Silence): boolean => silence.state !== 'expired';

/**
 * The matchers a silence made from an alert starts with: one `name="value"` per label, sorted by
 * name; empty values are left out (Alertmanager drops empty labels, and `x=""` would match alerts
 * without `x`).
 */
export function matchersFromLabels(labels: Readonly<Record<string, string>>): SilenceMatcher[] {
  return Object.keys(labels)
    .filter((name) => labels[name] !== '')
    .sort()
    .map((name) => ({ name, value: labels[name] ?? '', isRegex: false, isEqual: true }));
}

/** A matcher as Alertmanager prints it: `name="value"`, `name!~"value"`. */
export function formatMatcher(m: SilenceMatcher): string {
  const op = `${m.isEqual ? '=' : '!'}${m.isRegex ? '~' : m.isEqual ? '' : '='}`;
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

/** One recorded silence action: who created or expired which silence, from which alert, when. */
export interface SilenceAction {
  id: number;
  action: 'create' | 'expire';
  silenceId: string;
  fingerprint: string | null;
  matchers: SilenceMatcher[];
  startsAt: string | null;
  endsAt: string | null;
  author: string;
  comment: string;
  createdAt: string;
}

/** A silence action to record. */
export type NewSilenceAction = Omit<SilenceAction, 'id' | 'createdAt'>;

/** The history of silence actions (silence_actions). */
export interface SilenceActionStore {
  record(action: NewSilenceAction): Promise<SilenceAction>;
  /** Newest first; by the alert they were made from, or by silence. */
  list(filter: { fingerprint?: string | undefined; silenceId?: string | undefined; limit: number }): Promise<SilenceAction[]>;
  /** The current labels of the known alerts among `fingerprints`. */
  labelsOf(fingerprints: readonly string[]): Promise<Map<string, Record<string, string>>>;
}
