// Silences from the dashboard, end to end on PostgreSQL and PGlite against the strict fake
// Alertmanager silence API: create from an alert with narrowed matchers (basic auth, the token guard),
// the live silences matching an alert, the silenced marks of listed alerts, expiry in one call, the
// history of who did what; bad input is a 400 naming the field that reaches nothing; Alertmanager's
// failures map to codes without the credential; without silences.url the routes say so.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelope } from '../../src/api/contract.ts';
import { SilenceActionsResponse, SilenceCreatedResponse, SilenceMarksResponse, SilencesMatchingResponse } from '../../src/api/contract-silences.ts';
import { backends } from '../helpers/backends.ts';
import { type FakeAlertmanager, startFakeAlertmanager } from '../helpers/fake-alertmanager.ts';
import { fixture } from '../helpers/fixtures.ts';
import { hostileText } from '../helpers/hostile.ts';
import { freePort } from '../helpers/postgres.ts';
import { startTestService, type TestService } from '../helpers/service.ts';

const TOKEN = 'silence-test-api-token-0001';
const PASSWORD = 'am-Pa55word-for-silences';
const API = '44a691f422eafef8'; // container=api
const WORKER = '44fdbac966a50875'; // container=worker
const auth = { authorization: `Bearer ${TOKEN}` };

const narrowed = [
  { name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true },
  { name: 'namespace', value: 'pay.*', isRegex: true, isEqual: true },
  { name: 'container', value: 'api', isRegex: false, isEqual: true },
];
const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  matchers: narrowed,
  duration: '2h',
  comment: 'deploying a fix',
  author: 'alice',
  fingerprint: API,
  ...over,
});

type Envelope = ReturnType<typeof ErrorEnvelope.parse>;
async function envelope(res: Response): Promise<Envelope> {
  return ErrorEnvelope.parse(await res.json());
}

describe.each(backends())('silences on $name', (backend) => {
  let am: FakeAlertmanager;
  let svc: TestService;

  beforeAll(async () => {
    am = await startFakeAlertmanager({ basic: { username: 'alert-history', password: PASSWORD } });
    svc = await startTestService(await backend.fresh(), {
      API_TOKENS: TOKEN,
      SILENCES_ALERTMANAGER_URL: am.url,
      SILENCES_USERNAME: 'alert-history',
      SILENCES_PASSWORD: PASSWORD,
    });
    const res = await svc.post('/webhook', fixture('am-v4-firing.json'));
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await svc?.stop();
    await am?.close();
  });

  const actions = async (): Promise<ReturnType<typeof SilenceActionsResponse.parse>['actions']> =>
    SilenceActionsResponse.parse(await (await svc.get(`/silences/actions?fingerprint=${API}`)).json()).actions;

  it('says it is on, showing the Alertmanager URL masked', async () => {
    const status = (await (await svc.get('/silences/status')).json()) as Record<string, unknown>;
    expect(status).toEqual({ enabled: true, alertmanager_url: am.url, max_duration_seconds: 30 * 86_400 });
  });

  it('refuses a create without the API token and sends nothing', async () => {
    const res = await svc.post('/silences', body());
    expect(res.status).toBe(401);
    expect(am.requests).toHaveLength(0);
  });

  it.each([
    ['a regex RE2 refuses', { matchers: [narrowed[0], { name: 'pod', value: '(?=api).*', isRegex: true, isEqual: true }] }, 'matchers[1].value'],
    ['an invalid regex', { matchers: [narrowed[0], { name: 'pod', value: '(api', isRegex: true }] }, 'matchers[1].value'],
    ['matchers that all match the empty string', { matchers: [{ name: 'pod', value: '.*', isRegex: true, isEqual: true }] }, 'matchers'],
    ['no matchers', { matchers: [] }, 'matchers'],
    ['a matcher without isRegex', { matchers: [{ name: 'pod', value: 'x' }] }, 'matchers[0].isRegex'],
    ['an empty label name', { matchers: [{ name: '', value: 'x', isRegex: false }] }, 'matchers[0].name'],
    ['a duration under a minute', { duration: '30s' }, 'duration'],
    ['a duration over silences.maxDuration', { duration: '31d' }, 'duration'],
    ['an unreadable duration', { duration: 'soon' }, 'duration'],
    ['a blank comment', { comment: '   ' }, 'comment'],
    ['no author', { author: undefined }, 'author'],
    ['a NUL in the author', { author: 'a\u0000b' }, 'author'],
  ])('answers 400 naming the field for %s, and reaches nothing', async (_what, over, path) => {
    const res = await svc.post('/silences', body(over), auth);
    expect(res.status).toBe(400);
    const e = await envelope(res);
    expect(e.code).toBe('VALIDATION_ERROR');
    expect(e.details.fields?.map((f) => f.path)).toContain(path);
    expect(am.requests).toHaveLength(0);
    expect(await actions()).toEqual([]);
  });

  it('answers 400 for a body that is not an object', async () => {
    const res = await svc.post('/silences', '[1,2]', auth);
    expect(res.status).toBe(400);
    expect(am.requests).toHaveLength(0);
  });

  let silenceId = '';

  it('creates the silence in Alertmanager with basic auth and records who made it from which alert', async () => {
    const res = await svc.post('/silences', body(), auth);
    expect(res.status).toBe(201);
    const created = SilenceCreatedResponse.parse(await res.json());
    silenceId = created.silence_id;
    expect(am.violations).toEqual([]);
    const post = am.requests.find((r) => r.method === 'POST');
    expect(post?.authorization).toBe(`Basic ${Buffer.from(`alert-history:${PASSWORD}`).toString('base64')}`);
    const sent = post?.body as Record<string, unknown>;
    expect(sent.matchers).toEqual(narrowed);
    expect(sent).toMatchObject({ createdBy: 'alice', comment: 'deploying a fix' });
    expect(Date.parse(String(sent.endsAt)) - Date.parse(String(sent.startsAt))).toBe(2 * 3_600_000);
    expect(am.stateOf(silenceId)).toBe('active');
    expect(created.silence?.status.state).toBe('active');
    const [action] = await actions();
    expect(action).toMatchObject({
      action: 'create',
      silence_id: silenceId,
      fingerprint: API,
      author: 'alice',
      comment: 'deploying a fix',
      matchers: narrowed,
    });
    expect(action?.ends_at).toBe(new Date(String(sent.endsAt)).toISOString());
  });

  it('lists the silence for the alert it matches and not for the other one', async () => {
    const mine = SilencesMatchingResponse.parse(await (await svc.get(`/silences?fingerprint=${API}`)).json());
    expect(mine.silences.map((s) => s.id)).toEqual([silenceId]);
    const other = SilencesMatchingResponse.parse(await (await svc.get(`/silences?fingerprint=${WORKER}`)).json());
    expect(other.silences).toEqual([]);
    const byLabels = await svc.get('/silences?label=alertname=KubePodCrashLooping&label=namespace=payments&label=container=api');
    expect(SilencesMatchingResponse.parse(await byLabels.json()).silences.map((s) => s.id)).toEqual([silenceId]);
  });

  it('marks only the silenced alert among the listed ones', async () => {
    const res = await svc.get(`/silences/marks?fingerprint=${API}&fingerprint=${WORKER}&fingerprint=unknown0000`);
    expect(SilenceMarksResponse.parse(await res.json()).silenced).toEqual({ [API]: [silenceId] });
  });

  it('expires it in one call, records who did, and the mark goes at once', async () => {
    const res = await svc.post(`/silences/${silenceId}/expire`, { author: 'bob', fingerprint: API }, auth);
    expect(res.status).toBe(200);
    expect(am.stateOf(silenceId)).toBe('expired');
    expect(am.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/v2/silence/${silenceId}`]);
    const [latest] = await actions();
    expect(latest).toMatchObject({ action: 'expire', silence_id: silenceId, author: 'bob', fingerprint: API });
    const marks = SilenceMarksResponse.parse(await (await svc.get(`/silences/marks?fingerprint=${API}`)).json());
    expect(marks.silenced).toEqual({});
    const listed = SilencesMatchingResponse.parse(await (await svc.get(`/silences?fingerprint=${API}`)).json());
    expect(listed.silences).toEqual([]);
  });

  it('answers 409 for an expired silence and 404 for an unknown one, recording nothing', async () => {
    const before = (await actions()).length;
    const again = await svc.post(`/silences/${silenceId}/expire`, { author: 'bob' }, auth);
    expect(again.status).toBe(409);
    const unknown = await svc.post('/silences/00000000-0000-0000-0000-000000000000/expire', { author: 'bob' }, auth);
    expect(unknown.status).toBe(404);
    expect((await envelope(unknown)).code).toBe('NOT_FOUND');
    const badId = await svc.post('/silences/not%20an%20id/expire', { author: 'bob' }, auth);
    expect(badId.status).toBe(400);
    expect((await actions()).length).toBe(before);
  });

  it('answers 404 for silences of an unknown alert and 400 without a fingerprint or labels', async () => {
    expect((await svc.get('/silences?fingerprint=ffffffffffffffff')).status).toBe(404);
    const none = await svc.get('/silences');
    expect(none.status).toBe(400);
    expect((await envelope(none)).details.fields?.[0]?.path).toBe('fingerprint');
  });

  it("maps Alertmanager's refusals without echoing the credential, in answers or logs", async () => {
    am.script({ status: 400, body: JSON.stringify(`bad silence from alert-history:${PASSWORD}`) });
    const refused = await svc.post('/silences', body(), auth);
    expect(refused.status).toBe(502);
    const e = await envelope(refused);
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', details: { reason: 'client_error', upstream_status: 400 } });
    expect(e.error).toContain('bad silence from');
    am.script({ status: 500, body: 'boom' });
    const failed = await envelope(await svc.post('/silences', body(), auth));
    expect(failed).toMatchObject({ code: 'UPSTREAM_ERROR', details: { reason: 'server_error' } });
    const text = JSON.stringify([e, failed]) + svc.logs.join('');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`alert-history:${PASSWORD}`).toString('base64'));
  });
});

describe('silences with a wrong credential, a bearer token, no Alertmanager, or none configured', () => {
  const pglite = backends().find((b) => b.name === 'pglite')!;
  const services: TestService[] = [];
  let am: FakeAlertmanager;

  beforeAll(async () => {
    am = await startFakeAlertmanager({ bearer: 'am-bearer-token-0123456789' });
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await am?.close();
  });

  async function start(env: Record<string, string>): Promise<TestService> {
    const svc = await startTestService(await pglite.fresh(), env);
    services.push(svc);
    await svc.post('/webhook', fixture('am-v4-firing.json'));
    return svc;
  }

  it('creates with the bearer token', async () => {
    const svc = await start({ SILENCES_ALERTMANAGER_URL: am.url, SILENCES_BEARER_TOKEN: 'am-bearer-token-0123456789' });
    const res = await svc.post('/silences', body());
    expect(res.status).toBe(201);
    expect(am.requests.at(-1)?.authorization).toBe('Bearer am-bearer-token-0123456789');
    expect(await (await svc.get('/metrics')).text()).toContain('alert_history_silence_requests_total{operation="create",result="ok"} 1');
    expect(am.violations).toEqual([]);
  });

  it('says auth_error when Alertmanager refuses the credential, never showing it', async () => {
    const secret = 'wrong-bearer-token-9876543210';
    const svc = await start({ SILENCES_ALERTMANAGER_URL: am.url, SILENCES_BEARER_TOKEN: secret });
    const res = await svc.post('/silences', body());
    expect(res.status).toBe(502);
    const e = await envelope(res);
    expect(e).toMatchObject({ code: 'UPSTREAM_ERROR', details: { reason: 'auth_error', upstream_status: 401 } });
    expect(JSON.stringify(e) + svc.logs.join('')).not.toContain(secret);
    expect(await (await svc.get(`/silences/actions?fingerprint=${API}`)).json()).toEqual({ actions: [] });
  });

  it('says unreachable for a closed port, and the URL userinfo never shows', async () => {
    const port = await freePort();
    const svc = await start({ SILENCES_ALERTMANAGER_URL: `http://admin:userinfo-secret-77@127.0.0.1:${port}` });
    const res = await svc.get(`/silences?fingerprint=${API}`);
    expect(res.status).toBe(502);
    const e = await envelope(res);
    expect(e.details).toMatchObject({ reason: 'unreachable' });
    const metrics = await (await svc.get('/metrics')).text();
    expect(metrics).toContain('alert_history_silence_requests_total{operation="list",result="unreachable"} 1');
    const status = await (await svc.get('/silences/status')).text();
    expect(status + JSON.stringify(e) + svc.logs.join('')).not.toContain('userinfo-secret-77');
  });

  it('says timeout when Alertmanager does not answer in time', async () => {
    const svc = await start({ SILENCES_ALERTMANAGER_URL: am.url, SILENCES_BEARER_TOKEN: 'am-bearer-token-0123456789', SILENCES_TIMEOUT_MS: '300' });
    am.script({ hang: true });
    const res = await svc.get(`/silences?fingerprint=${API}`);
    expect(res.status).toBe(504);
    expect(await envelope(res)).toMatchObject({ code: 'TIMEOUT', details: { reason: 'timeout' } });
  });

  it('answers NOT_CONFIGURED without silences.url, and the status says off', async () => {
    const svc = await start({});
    expect(await (await svc.get('/silences/status')).json()).toMatchObject({ enabled: false, alertmanager_url: null });
    for (const res of [
      await svc.post('/silences', body()),
      await svc.get(`/silences?fingerprint=${API}`),
      await svc.post('/silences/abc/expire', { author: 'x' }),
    ]) {
      expect(res.status).toBe(501);
      expect((await envelope(res)).code).toBe('NOT_CONFIGURED');
    }
  });
});

describe('any create body', () => {
  const pglite = backends().find((b) => b.name === 'pglite')!;
  let am: FakeAlertmanager;
  let svc: TestService;

  beforeAll(async () => {
    am = await startFakeAlertmanager();
    svc = await startTestService(await pglite.fresh(), { SILENCES_ALERTMANAGER_URL: am.url });
  });
  afterAll(async () => {
    await svc?.stop();
    await am?.close();
  });

  const often = <T>(usual: T, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 4, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });
  const matcher = fc.record(
    {
      name: fc.oneof(hostileText(10), fc.constantFrom('alertname', 'instance')),
      value: fc.oneof(hostileText(20), fc.constantFrom('x', '.*', '.+', 'db-.*', '(', '\\1', '(?=a)', '')),
      isRegex: often(false, fc.oneof(fc.constant(true), fc.jsonValue({ maxDepth: 1 }))),
      isEqual: fc.boolean(),
    },
    { requiredKeys: ['name', 'value', 'isRegex'] },
  );
  const createBody = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        matchers: fc.array(matcher, { maxLength: 4 }),
        duration: often('1h', fc.constantFrom('30s', '99d', 'x', 5)),
        comment: often('why', hostileText(10)),
        author: often('me', hostileText(10)),
      }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

  it('is a 201 that Alertmanager accepts, or a 4xx envelope that reached nothing and recorded nothing', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(createBody, async (value) => {
        const posts = am.requests.length;
        const [before] = await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM silence_actions');
        const res = await svc.post('/silences', JSON.stringify(value) ?? 'null');
        statuses.add(res.status);
        expect(res.status === 201 || (res.status >= 400 && res.status < 500), `${res.status} for ${JSON.stringify(value)}`).toBe(true);
        if (res.status === 201) return void (await res.arrayBuffer());
        ErrorEnvelope.parse(await res.json());
        expect(am.requests.length).toBe(posts);
        const [after] = await svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM silence_actions');
        expect(after?.n).toBe(before?.n);
      }),
      { numRuns: 150 },
    );
    expect(am.violations).toEqual([]);
    expect(statuses.has(201) && statuses.has(400)).toBe(true);
  });
});
