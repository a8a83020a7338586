// Alertmanager's silence API v2 (GET /api/v2/silences, POST /api/v2/silences, GET and DELETE
// /api/v2/silence/{id}) through the one outbound layer. Answers are parsed with zod; failures become
// AppErrors with a reason from a short vocabulary (unreachable, timeout, auth_error, client_error,
// server_error, invalid_response) in `details.reason`, and every message is redacted of the
// credential and the URL's userinfo. https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { createRedactor, maskUrl } from '../core/secret.ts';
import { SILENCE_STATES, type NewSilence, type Silence } from '../core/silence.ts';
import type { Answer, Outbound } from '../outbound/client.ts';
import { OutboundError } from '../outbound/errors.ts';

/** Where and how to reach Alertmanager. */
export interface SilenceApiOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  bearerToken?: string | undefined;
  timeoutMs: number;
  outbound: Outbound;
  /** Told of each request's outcome: `ok`, `not_found` or the {@link SilenceFailure} (a metric). */
  onResult?: (operation: 'list' | 'get' | 'create' | 'expire', result: string) => void;
}

/** Alertmanager's silences. */
export interface SilenceApi {
  /** Every silence Alertmanager holds, expired ones included. */
  list(): Promise<Silence[]>;
  get(id: string): Promise<Silence>;
  /** Creates the silence; resolves with its id. */
  create(silence: NewSilence): Promise<string>;
  expire(id: string): Promise<void>;
  /** The URL as it may be shown. */
  readonly shownUrl: string;
}

/** Why a request to Alertmanager failed (`details.reason`). */
export type SilenceFailure = 'unreachable' | 'timeout' | 'auth_error' | 'client_error' | 'server_error' | 'invalid_response';

const matcher = z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().default(true) });
const gettable = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(SILENCE_STATES) }),
  updatedAt: z.string(),
  matchers: z.array(matcher),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
});
const created = z.object({ silenceID: z.string().min(1) });

const toSilence = (g: z.infer<typeof gettable>): Silence => ({
  id: g.id,
  matchers: g.matchers,
  startsAt: g.startsAt,
  endsAt: g.endsAt,
  createdBy: g.createdBy,
  comment: g.comment,
  state: g.status.state,
  updatedAt: g.updatedAt,
});

interface Endpoint {
  base: string;
  headers: Record<string, string>;
  secrets: string[];
}

/** The base URL without userinfo, the auth header (userinfo becomes basic auth when none is configured) and the secrets to redact. */
function endpointOf(options: SilenceApiOptions): Endpoint {
  const url = new URL(options.url);
  const inUrl = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  url.username = '';
  url.password = '';
  const username = options.username ?? (inUrl.username || undefined);
  const password = options.password ?? inUrl.password;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
  else if (username !== undefined) headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const secrets = [options.url, options.password, options.bearerToken, inUrl.password, headers.authorization].filter((s): s is string => Boolean(s));
  return { base: url.toString().replace(/\/+$/, ''), headers, secrets };
}

function failure(reason: SilenceFailure, message: string, upstreamStatus?: number): AppError {
  const code = reason === 'timeout' ? 'TIMEOUT' : 'UPSTREAM_ERROR';
  return new AppError(code, message, { details: { reason, ...(upstreamStatus === undefined ? {} : { upstream_status: upstreamStatus }) } });
}

/** Alertmanager's error text: a JSON string, an object's `message`, or the raw body, shortened. */
function upstreamMessage(text: string): string {
  let message = text;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'string') message = parsed;
    else if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: the text as it is
  }
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(no message)';
}

/** Maps a non-2xx answer; `notFound` is the message of a 404 when the caller named a silence. */
function answerError(answer: Answer, redact: (text: string) => string, notFound?: string): AppError {
  const said = redact(upstreamMessage(answer.text));
  if (answer.status === 404 && notFound !== undefined) return new AppError('NOT_FOUND', notFound, { details: { upstream_status: 404 } });
  if (answer.status === 401 || answer.status === 403)
    return failure(
      'auth_error',
      `Alertmanager refused the credential (${answer.status}): check silences.username/password or silences.bearerToken`,
      answer.status,
    );
  if (answer.status >= 400 && answer.status < 500)
    return failure('client_error', `Alertmanager refused the request (${answer.status}): ${said}`, answer.status);
  return failure('server_error', `Alertmanager failed (${answer.status}): ${said}`, answer.status);
}

function parseAnswer<S extends z.ZodType>(schema: S, answer: Answer, where: string): z.infer<S> {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw failure('invalid_response', `${where}: Alertmanager answered ${answer.status} with a body that is not JSON`, answer.status);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw failure('invalid_response', `${where}: Alertmanager's answer is not a silence API v2 answer`, answer.status);
  return parsed.data;
}

/** Creates the client. */
export function createSilenceApi(options: SilenceApiOptions): SilenceApi {
  const endpoint = endpointOf(options);
  const redact = createRedactor(endpoint.secrets);
  const shownUrl = maskUrl(endpoint.base);

  async function send(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers = body === undefined ? endpoint.headers : { ...endpoint.headers, 'content-type': 'application/json' };
    try {
      return await options.outbound.send({
        method,
        url: `${endpoint.base}${path}`,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: options.timeoutMs,
        redirect: 'error',
        where: `${method} ${shownUrl}`,
      });
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      if (err.kind === 'timeout') throw failure('timeout', `Alertmanager did not answer within ${options.timeoutMs} ms (${shownUrl})`);
      throw failure('unreachable', redact(`Alertmanager unreachable: ${err.message}`));
    }
  }

  const silencePath = (id: string): string => `/api/v2/silence/${encodeURIComponent(id)}`;
  const missing = (id: string): string => `Alertmanager has no silence ${id.slice(0, 64)}`;

  const api: SilenceApi = {
    shownUrl,
    async list() {
      const answer = await send('GET', '/api/v2/silences');
      if (!answer.ok) throw answerError(answer, redact);
      return parseAnswer(z.array(gettable), answer, 'GET /api/v2/silences').map(toSilence);
    },
    async get(id) {
      const answer = await send('GET', silencePath(id));
      if (!answer.ok) throw answerError(answer, redact, missing(id));
      return toSilence(parseAnswer(gettable, answer, 'GET /api/v2/silence/{id}'));
    },
    async create(silence) {
      const answer = await send('POST', '/api/v2/silences', silence);
      if (!answer.ok) throw answerError(answer, redact);
      return parseAnswer(created, answer, 'POST /api/v2/silences').silenceID;
    },
    async expire(id) {
      const answer = await send('DELETE', silencePath(id));
      if (!answer.ok) throw answerError(answer, redact, missing(id));
    },
  };
  return options.onResult ? counted(api, options.onResult) : api;
}

function outcome(err: unknown): string {
  if (!(err instanceof AppError)) return 'error';
  if (err.code === 'NOT_FOUND') return 'not_found';
  const reason = err.details?.reason;
  return typeof reason === 'string' ? reason : 'error';
}

/** `api` with each call's outcome reported to `onResult`. */
function counted(api: SilenceApi, onResult: NonNullable<SilenceApiOptions['onResult']>): SilenceApi {
  const wrap =
    <A extends unknown[], R>(operation: 'list' | 'get' | 'create' | 'expire', fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        const result = await fn(...args);
        onResult(operation, 'ok');
        return result;
      } catch (err) {
        onResult(operation, outcome(err));
        throw err;
      }
    };
  return {
    shownUrl: api.shownUrl,
    list: wrap('list', () => api.list()),
    get: wrap('get', (id: string) => api.get(id)),
    create: wrap('create', (silence: NewSilence) => api.create(silence)),
    expire: wrap('expire', (id: string) => api.expire(id)),
  };
}
