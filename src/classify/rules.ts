// The rules fallback: used when the LLM is off, open, failing or not confident enough. Severity
// from the `severity` label (normalised), else from words in the alert name. Its confidence stays
// below any LLM answer the filters would trust.
import type { Category, ClassifiableAlert, Classification, Severity } from '../core/classification.ts';
import { normaliseSeverityLabel } from '../core/severity.ts';

/** Version of these rules, reported as the prompt version of rule results. */
export const RULES_VERSION = 'rules-v1';

const CRITICAL_NAME = /(Down|Dead|Failed|Failing|Failure|Outage|Unavailable|Unreachable|CrashLoop|OOM|OutOfMemory|DiskFull|Panic)/i;
const WATCHDOG_NAME = /^(Watchdog|InfoInhibitor|DeadMansSwitch)$/;

const CATEGORY_WORDS: [RegExp, Category][] = [
  [/latency|slow|duration/i, 'latency'],
  [/error|5xx|fail/i, 'errors'],
  [/down|unavailable|unreachable|dead|outage|crashloop/i, 'availability'],
  [/cpu|memory|oom|throttl|saturat/i, 'saturation'],
  [/disk|full|quota|capacity|space/i, 'capacity'],
  [/cert|tls|security|unauthori[sz]ed/i, 'security'],
  [/deploy|rollout|replica/i, 'deployment'],
  [/network|dns|packet|connection/i, 'network'],
];

function categoryOf(name: string): Category {
  return CATEGORY_WORDS.find(([re]) => re.test(name))?.[1] ?? 'other';
}

interface RuleVerdict {
  severity: Severity;
  confidence: number;
  why: string;
}

function decide(alert: ClassifiableAlert): RuleVerdict {
  const name = alert.labels.alertname ?? '';
  if (WATCHDOG_NAME.test(name)) return { severity: 'noise', confidence: 0.5, why: `${name} is a heartbeat alert` };
  const fromLabel = normaliseSeverityLabel(alert.labels.severity);
  if (fromLabel) return { severity: fromLabel, confidence: 0.45, why: `severity label "${alert.labels.severity}"` };
  if (CRITICAL_NAME.test(name)) return { severity: 'critical', confidence: 0.4, why: `alert name "${name}" names an outage` };
  return { severity: 'warning', confidence: 0.2, why: 'no severity label and no telling alert name' };
}

/** Classifies by rules; never fails. */
export function classifyByRules(alert: ClassifiableAlert): Classification {
  const verdict = decide(alert);
  const name = alert.labels.alertname ?? '';
  return {
    severity: verdict.severity,
    confidence: verdict.confidence,
    category: categoryOf(name),
    reasoning: `Rule-based: ${verdict.why}.`,
    recommendations: alert.annotations.runbook_url ? [`Follow the runbook: ${alert.annotations.runbook_url}`] : [],
    source: 'rules',
    model: 'rules',
    promptVersion: RULES_VERSION,
    latencyMs: 0,
  };
}
