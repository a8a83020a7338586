// Static targets pointing at the local vendor fakes, as config.yaml text, and small helpers the
// publishing journeys share.
import type { VendorRequest } from './fake-vendors.ts';

/** Credentials of the fake targets; none may ever appear in a log line or an API answer. */
export const CREDENTIALS = {
  pagerduty: 'R0UT1NGKEY0123456789abcdefABCDEF',
  slackBot: 'xoxb-1111-2222-secretbottoken',
  slackHookPath: '/services/T000/B000/SECRETHOOKPATH',
  rootly: 'rootly-secret-api-key-0123456789',
  webhook: 'hook-secret-bearer-0123456789',
} as const;

/** Worker settings that make retries and lease expiry quick in tests. */
export const FAST_WORKER = `
  worker:
    pollIntervalMs: 50
    backoffInitialMs: 30
    backoffMaxMs: 300
    leaseSeconds: 2
    routingGraceSeconds: 1
`;

/** One target of each type at the fakes. */
export function allTargetsYaml(fakeUrl: string, extra = ''): string {
  return `
publishing:
  dashboardUrl: https://alert-history.example.invalid
${FAST_WORKER}
  targets:
    - name: oncall
      type: pagerduty
      url: ${fakeUrl}
      credentials: ${CREDENTIALS.pagerduty}
    - name: team-slack
      type: slack
      url: ${fakeUrl}${CREDENTIALS.slackHookPath}
    - name: slack-bot
      type: slack
      url: ${fakeUrl}/api
      credentials: ${CREDENTIALS.slackBot}
      slack: { channel: C0123456789 }
    - name: rootly
      type: rootly
      url: ${fakeUrl}
      credentials: ${CREDENTIALS.rootly}
    - name: hook
      type: webhook
      url: ${fakeUrl}/hook
      credentials: ${CREDENTIALS.webhook}
      headers: [ { name: X-Team, value: sre } ]
    - name: upstream-am
      type: alertmanager
      url: ${fakeUrl}
${extra}`;
}

/** The body of a request as an object. */
export function bodyOf(r: VendorRequest): Record<string, unknown> {
  return r.body as Record<string, unknown>;
}

/** Requests of one vendor. */
export function of(requests: readonly VendorRequest[], vendor: VendorRequest['vendor']): VendorRequest[] {
  return requests.filter((r) => r.vendor === vendor);
}
