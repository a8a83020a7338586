// The versioned prompt. The system message defines the classes and carries the schema (JSON mode
// needs the word "JSON" in a message and cannot enforce a schema); the user message carries the
// alert's name, status, labels and truncated annotations. Bump PROMPT_VERSION with any change:
// it is stored with every classification.
import type { ClassifiableAlert } from '../core/classification.ts';
import { VERDICT_JSON_SCHEMA } from './verdict.ts';

/** Stored with each classification. */
export const PROMPT_VERSION = 'v1';

const MAX_ANNOTATION = 1_000;
const MAX_LABELS = 64;
/** Label and annotation names that may hold credentials are never sent. */
const SENSITIVE_NAME = /pass(word)?|secret|token|api[_-]?key|credential|authorization|cookie/i;

const SYSTEM = `You classify Prometheus Alertmanager alerts for an on-call SRE team.
Answer with one JSON object that matches this JSON Schema exactly:
${JSON.stringify(VERDICT_JSON_SCHEMA)}
Severity: critical = act now (user impact or imminent outage); warning = act soon; info = no action needed;
noise = a false positive, heartbeat or duplicate. Confidence is your certainty from 0 to 1.
Give at most five short, concrete recommendations an engineer can act on. Do not invent facts
that are not in the alert.`;

/** A chat message. */
export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

function safeEntries(map: Record<string, string>, limit: number, maxValue: number): [string, string][] {
  return Object.entries(map)
    .filter(([name]) => !SENSITIVE_NAME.test(name))
    .slice(0, limit)
    .map(([name, value]) => [name, value.length > maxValue ? `${value.slice(0, maxValue)}…` : value]);
}

/** The messages for one alert. */
export function buildMessages(alert: ClassifiableAlert, instructions?: string): ChatMessage[] {
  const facts = {
    alertname: alert.labels.alertname ?? '',
    status: alert.status,
    labels: Object.fromEntries(safeEntries(alert.labels, MAX_LABELS, MAX_ANNOTATION)),
    annotations: Object.fromEntries(safeEntries(alert.annotations, MAX_LABELS, MAX_ANNOTATION)),
  };
  return [
    { role: 'system', content: instructions ? `${SYSTEM}\nTeam instructions: ${instructions.slice(0, 2_000)}` : SYSTEM },
    { role: 'user', content: `Classify this alert:\n${JSON.stringify(facts, null, 2)}` },
  ];
}
