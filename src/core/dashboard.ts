// What the dashboard's JSON API reads (api-contract.md, Dashboard): counts, chart series and
// distributions over a time window, recent alerts with their classification, recommendations.
import type { Severity } from './classification.ts';
import type { AlertEvent } from './types.ts';

/** Headline counts. */
export interface DashboardCounts {
  totalAlerts: number;
  activeAlerts: number;
  resolvedAlerts: number;
  alertsLast24h: number;
  classifiedAlerts: number;
}

/** One bucket of the alert timeline. */
export interface TimelineBucket {
  timestamp: string;
  firing: number;
  resolved: number;
  critical: number;
  warning: number;
  info: number;
}

/** An alert that fired often in the window. */
export interface FrequentAlert {
  alertName: string;
  namespace: string | null;
  count: number;
  lastSeen: string;
  severity: string | null;
  status: string;
}

/** Chart data for a window of `hours`. */
export interface DashboardCharts {
  timeline: TimelineBucket[];
  top: FrequentAlert[];
  severity: Record<string, number>;
  status: Record<string, number>;
  namespace: Record<string, number>;
}

/** Filters of the recent-alerts list. */
export interface RecentQuery {
  limit: number;
  severity?: string | undefined;
  status?: 'firing' | 'resolved' | undefined;
  namespace?: string | undefined;
  minConfidence?: number | undefined;
}

/** The latest classification of an alert, as the dashboard shows it. */
export interface LatestClassification {
  severity: Severity;
  confidence: number;
  reasoning: string;
  recommendations: string[];
  source: string;
  createdAt: string;
}

/** A recent state change with its alert's latest classification. */
export interface RecentAlert {
  event: AlertEvent;
  classification: LatestClassification | null;
}

/** An alert's advice. */
export interface Recommendation extends LatestClassification {
  fingerprint: string;
  alertName: string;
}

/** The dashboard's queries. */
export interface DashboardStore {
  counts(): Promise<DashboardCounts>;
  charts(hours: number): Promise<DashboardCharts>;
  recent(query: RecentQuery): Promise<RecentAlert[]>;
  recommendations(query: { limit: number; minConfidence: number }): Promise<Recommendation[]>;
}
