// Silences through our API against a real Alertmanager (v0.35, no auth): the silence we create is
// in Alertmanager's GET /api/v2/silences with the matchers we sent and silences the alert there;
// our API lists it as matching the alert and marks the alert; expiring it through our API leaves
// it expired in Alertmanager. The real Alertmanager also accepts exactly what our validation lets
// through (a regex matcher beside an equality one).
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SilenceCreatedResponse, SilenceMarksResponse, SilencesMatchingResponse } from '../../src/api/contract-silences.ts';
import { alertFingerprint } from '../../src/core/fingerprint.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openPostgres } from '../../src/store/pg.ts';
import { pollUntil, type RunningAlertmanager, startAlertmanager } from '../helpers/alertmanager.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const ALERTNAME = `E2eSilenced-${randomBytes(4).toString('hex')}`;
const LABELS = { alertname: ALERTNAME, namespace: 'payments', instance: 'db-1:9100', severity: 'warning' };
const FINGERPRINT = alertFingerprint(LABELS);
const MATCHERS = [
  { name: 'alertname', value: ALERTNAME, isRegex: false, isEqual: true },
  { name: 'instance', value: 'db-.*', isRegex: true, isEqual: true },
];

const AM_CONFIG = `
route:
  receiver: none
receivers:
  - name: none
`;

describe.runIf(inject('alertmanagerDir') && inject('e2ePostgresUrl'))('silences against a real Alertmanager', () => {
  let am: RunningAlertmanager;
  let svc: TestService;

  beforeAll(async () => {
    am = await startAlertmanager({ dir: inject('alertmanagerDir'), configYaml: AM_CONFIG });
    const db = openPostgres({
      url: inject('e2ePostgresUrl'),
      poolSize: 5,
      connectTimeoutMs: 3_000,
      statementTimeoutMs: 30_000,
      logger: pino({ level: 'silent' }),
    });
    await migrate(db);
    svc = await startTestService(db, { SILENCES_ALERTMANAGER_URL: am.url });
    const startsAt = new Date().toISOString();
    expect((await svc.post('/webhook', [{ status: 'firing', labels: LABELS, annotations: {}, startsAt }])).status).toBe(200);
    await am.postAlerts([{ labels: LABELS, startsAt }]);
  });
  afterAll(async () => {
    await svc?.stop();
    await am?.stop();
  });

  it('creates, lists, marks and expires a silence in Alertmanager through our API', async () => {
    const res = await svc.post('/silences', { matchers: MATCHERS, duration: '1h', comment: 'e2e round trip', author: 'e2e', fingerprint: FINGERPRINT });
    expect(res.status).toBe(201);
    const { silence_id: id } = SilenceCreatedResponse.parse(await res.json());

    const inAm = (await am.silences()).find((s) => s.id === id);
    expect(inAm?.status.state).toBe('active');
    expect(inAm?.matchers).toEqual(MATCHERS);
    expect(inAm).toMatchObject({ createdBy: 'e2e', comment: 'e2e round trip' });
    await pollUntil('the alert silenced in Alertmanager', async () =>
      (await am.alerts()).find((a) => a.labels.alertname === ALERTNAME && a.status.silencedBy.includes(id)),
    );

    const matching = SilencesMatchingResponse.parse(await (await svc.get(`/silences?fingerprint=${FINGERPRINT}`)).json());
    expect(matching.silences.map((s) => s.id)).toEqual([id]);
    const marks = SilenceMarksResponse.parse(await (await svc.get(`/silences/marks?fingerprint=${FINGERPRINT}`)).json());
    expect(marks.silenced).toEqual({ [FINGERPRINT]: [id] });

    const expired = await svc.post(`/silences/${id}/expire`, { author: 'e2e', fingerprint: FINGERPRINT });
    expect(expired.status).toBe(200);
    expect((await am.silences()).find((s) => s.id === id)?.status.state).toBe('expired');
    const after = SilencesMatchingResponse.parse(await (await svc.get(`/silences?fingerprint=${FINGERPRINT}`)).json());
    expect(after.silences).toEqual([]);
  });

  it('gets a 400 from us, not from Alertmanager, for matchers that all match the empty string', async () => {
    const before = (await am.silences()).length;
    const res = await svc.post('/silences', {
      matchers: [{ name: 'instance', value: '.*', isRegex: true, isEqual: true }],
      duration: '1h',
      comment: 'too wide',
      author: 'e2e',
    });
    expect(res.status).toBe(400);
    expect((await am.silences()).length).toBe(before);
  });
});
