/** Files `make manifests` copies into the Helm chart (read there with .Files.Get), when the source exists. */
export const CHART_COPIES: readonly { source: string; copy: string }[] = [
  { source: 'deploy/grafana/alert-history.json', copy: 'charts/alert-history/files/grafana-dashboard.json' },
  { source: 'deploy/prometheus/alert-history-rules.yaml', copy: 'charts/alert-history/files/prometheus-rules.yaml' },
];
