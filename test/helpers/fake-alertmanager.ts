// A local stand-in for Alertmanager's silence API v2 (api/v2/openapi.yaml and silence/validation.go
// of Alertmanager v0.35): POST /api/v2/silences validates the postableSilence body as Alertmanager
// does (required fields and types, matcher names and RE2 regexes, at least one matcher that does not
// match the empty string in Alertmanager's sense, start before end, end not in the past), keeps the
// silences with their state (pending, active, expired by the clock), GET lists them, GET and DELETE
// /api/v2/silence/{id} read and expire one (expiring an expired one is a no-op, an unknown id 404).
// With a credential configured every request must carry it (401 otherwise). A malformed request
// gets Alertmanager's 400 and lands in `violations`; scripted replies stand in for failures.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RE2JS } from 're2js';

/** A silence as the fake holds it. */
export interface FakeSilence {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  updatedAt: string;
}

/** One request the fake saw. */
export interface FakeAmRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/** What the next request gets instead of the normal answer; `hang` never answers (timeouts). */
export type AmScript = { status: number; body: string } | { hang: true };

/** Options: the credential required, if any. */
export interface FakeAlertmanagerOptions {
  basic?: { username: string; password: string };
  bearer?: string;
}

/** The running fake. */
export interface FakeAlertmanager {
  url: string;
  requests: FakeAmRequest[];
  violations: string[];
  silences: Map<string, FakeSilence>;
  stateOf(id: string): 'pending' | 'active' | 'expired' | undefined;
  /** Queues replies for the next requests (any route). */
  script(...replies: AmScript[]): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDateTime = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v));

function state(s: FakeSilence, now = Date.now()): 'pending' | 'active' | 'expired' {
  if (Date.parse(s.endsAt) <= now) return 'expired';
  return Date.parse(s.startsAt) > now ? 'pending' : 'active';
}

function compiles(pattern: string): boolean {
  try {
    RE2JS.compile(pattern);
    return true;
  } catch {
    return false;
  }
}

/** silence/validation.go matchesEmpty: only = and =~ can match the empty string there. */
function matchesEmpty(m: FakeSilence['matchers'][number]): boolean {
  if (!m.isEqual) return false;
  return m.isRegex ? RE2JS.compile(m.value).matcher('').find() : m.value === '';
}

function matcherProblem(m: unknown, i: number): string | undefined {
  if (!isObject(m)) return `matchers.${i} in body must be of type object`;
  for (const key of ['name', 'value'] as const) if (typeof m[key] !== 'string') return `matchers.${i}.${key} in body is required`;
  if (typeof m.isRegex !== 'boolean') return `matchers.${i}.isRegex in body is required`;
  if (m.isEqual !== undefined && typeof m.isEqual !== 'boolean') return `matchers.${i}.isEqual in body must be of type boolean`;
  if (m.name === '') return `invalid label matcher ${i}: invalid label name ""`;
  if (m.isRegex && !compiles(String(m.value))) return `invalid label matcher ${i}: invalid regular expression ${JSON.stringify(m.value)}`;
  return undefined;
}

function silenceProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body in body must be of type object';
  for (const key of ['createdBy', 'comment'] as const) if (typeof body[key] !== 'string') return `${key} in body is required`;
  for (const key of ['startsAt', 'endsAt'] as const) if (!isDateTime(body[key])) return `${key} in body must be of type date-time`;
  if (!Array.isArray(body.matchers) || body.matchers.length === 0) return 'matchers in body should have at least 1 items';
  for (const [i, m] of body.matchers.entries()) {
    const problem = matcherProblem(m, i);
    if (problem) return problem;
  }
  const matchers = body.matchers as FakeSilence['matchers'];
  if (matchers.every((m) => matchesEmpty({ ...m, isEqual: m.isEqual ?? true }))) return 'matcher set 0: at least one matcher must not match the empty string';
  if (Date.parse(String(body.startsAt)) >= Date.parse(String(body.endsAt))) return 'Failed to create silence: start time must be before end time';
  if (Date.parse(String(body.endsAt)) < Date.now()) return "Failed to create silence: end time can't be in the past";
  if (body.id !== undefined && body.id !== '') return 'silence not found';
  return undefined;
}

function authorized(req: IncomingMessage, options: FakeAlertmanagerOptions): boolean {
  const given = req.headers.authorization;
  if (options.bearer) return given === `Bearer ${options.bearer}`;
  if (options.basic) return given === `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`).toString('base64')}`;
  return true;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const view = (s: FakeSilence): Json => ({ ...s, status: { state: state(s) }, annotations: {} });

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeAlertmanager(options: FakeAlertmanagerOptions = {}): Promise<FakeAlertmanager> {
  const silences = new Map<string, FakeSilence>();
  const requests: FakeAmRequest[] = [];
  const violations: string[] = [];
  const scripts: AmScript[] = [];
  const hung: ServerResponse[] = [];

  function create(res: ServerResponse, contentType: string | undefined, body: unknown): void {
    const problem = contentType?.split(';')[0]?.trim() === 'application/json' ? silenceProblem(body) : 'Content-Type must be application/json';
    if (problem) {
      violations.push(problem);
      send(res, 400, problem);
      return;
    }
    const b = body as Json;
    const id = randomUUID();
    const matchers = (b.matchers as FakeSilence['matchers']).map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true }));
    const at = new Date().toISOString();
    silences.set(id, {
      id,
      matchers,
      startsAt: String(b.startsAt),
      endsAt: String(b.endsAt),
      createdBy: String(b.createdBy),
      comment: String(b.comment),
      updatedAt: at,
    });
    send(res, 200, { silenceID: id });
  }

  function expire(res: ServerResponse, id: string): void {
    const s = silences.get(id);
    if (!s) return send(res, 404, '');
    const now = new Date().toISOString();
    const current = state(s);
    if (current === 'active') silences.set(id, { ...s, endsAt: now, updatedAt: now });
    if (current === 'pending') silences.set(id, { ...s, startsAt: now, endsAt: now, updatedAt: now });
    send(res, 200, '');
  }

  function route(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const one = /^\/api\/v2\/silence\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && path === '/api/v2/silences') return create(res, req.headers['content-type'], body);
    if (req.method === 'GET' && path === '/api/v2/silences') return send(res, 200, [...silences.values()].map(view));
    if (one && req.method === 'GET') {
      const s = silences.get(decodeURIComponent(one[1] ?? ''));
      return s ? send(res, 200, view(s)) : send(res, 404, '');
    }
    if (one && req.method === 'DELETE') return expire(res, decodeURIComponent(one[1] ?? ''));
    violations.push(`no route ${req.method} ${path}`);
    send(res, 404, 'not found');
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      violations.push('body is not JSON');
      return send(res, 400, 'parsing silence body from "" failed, because invalid character');
    }
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
    if (!authorized(req, options)) {
      res.writeHead(401, { 'www-authenticate': 'Basic', 'content-type': 'text/plain' });
      return void res.end('Unauthorized');
    }
    const scripted = scripts.shift();
    if (scripted && 'hang' in scripted) return void hung.push(res);
    if (scripted) {
      res.writeHead(scripted.status, { 'content-type': 'application/json' });
      return void res.end(scripted.body);
    }
    route(req, res, body);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    silences,
    stateOf: (id) => {
      const s = silences.get(id);
      return s ? state(s) : undefined;
    },
    script: (...replies) => scripts.push(...replies),
    close: () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
