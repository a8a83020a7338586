// A local OpenAI-compatible chat-completions server for tests. It checks each request as strictly
// as the real API documents (auth, model, messages, temperature, response_format and the strict
// json_schema rules, "JSON" in a message for json_object) and answers what the test scripts:
// a valid verdict, invalid JSON, a truncated reply, a refusal, 429s, 500, or a slow reply.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the next request gets. */
export type FakeReply =
  | { kind: 'valid'; verdict?: Record<string, unknown> }
  | { kind: 'invalid_json' }
  | { kind: 'length' }
  | { kind: 'refusal' }
  | { kind: 'rate_limited'; retryAfter: string }
  | { kind: 'quota' }
  | { kind: 'server_error' }
  | { kind: 'slow'; ms: number }
  | { kind: 'reject_json_schema' };

/** A request the server accepted for answering. */
export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** The running fake. */
export interface FakeLlm {
  url: string;
  requests: SeenRequest[];
  /** Requests rejected as malformed (a correct client produces none). */
  violations: string[];
  /** Scripts the next replies; when the script is empty every reply is `valid`. */
  script(...replies: FakeReply[]): void;
  close(): Promise<void>;
}

/** Options of {@link startFakeLlm}. */
export interface FakeLlmOptions {
  apiKey: string;
  model: string;
  /** Other model names the endpoint serves. */
  otherModels?: string[];
  /** Reject json_schema like an endpoint without structured outputs. */
  noJsonSchema?: boolean;
  /** Delay of every unscripted (valid) reply, like a real model's latency. */
  delayMs?: number;
}

export const VALID_VERDICT = {
  severity: 'critical',
  confidence: 0.93,
  category: 'availability',
  reasoning: 'The service is down for every user.',
  recommendations: ['Roll back the last deploy', 'Page the owning team'],
};

type Json = Record<string, unknown>;

function strictSchemaProblem(schema: unknown, path = 'schema'): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as Json;
  if (s.type === 'object') {
    const props = Object.keys((s.properties as Json | undefined) ?? {});
    if (s.additionalProperties !== false) return `${path}: additionalProperties must be false in strict mode`;
    const required = (s.required as string[] | undefined) ?? [];
    if (props.some((p) => !required.includes(p))) return `${path}: every property must be required in strict mode`;
    for (const p of props) {
      const problem = strictSchemaProblem((s.properties as Json)[p], `${path}.${p}`);
      if (problem) return problem;
    }
  }
  return s.type === 'array' ? strictSchemaProblem(s.items, `${path}.items`) : undefined;
}

function formatProblem(body: Json, messages: { content: string }[], options: FakeLlmOptions): string | undefined {
  const format = body.response_format as Json | undefined;
  if (format === undefined) return undefined;
  if (format.type === 'json_object') {
    return messages.some((m) => m.content.includes('JSON')) ? undefined : "'messages' must contain the word 'json' to use json_object";
  }
  if (format.type !== 'json_schema') return `response_format.type ${String(format.type)} is not supported`;
  if (options.noJsonSchema) return 'response_format json_schema is not supported by this model';
  const spec = format.json_schema as Json | undefined;
  if (!spec || typeof spec.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(spec.name)) return 'json_schema.name is invalid';
  if (spec.strict !== true) return 'json_schema.strict should be true';
  return strictSchemaProblem(spec.schema);
}

function requestProblem(req: IncomingMessage, body: Json, options: FakeLlmOptions): string | undefined {
  const auth =
    req.headers.authorization ?? (req.headers['x-litellm-api-key'] ? `Bearer ${String(req.headers['x-litellm-api-key']).replace(/^Bearer /, '')}` : undefined);
  if (auth !== `Bearer ${options.apiKey}`) return 'auth';
  if (!String(req.headers['content-type']).startsWith('application/json')) return 'content-type must be application/json';
  if (body.model !== options.model && !options.otherModels?.includes(String(body.model))) return `The model ${String(body.model)} does not exist`;
  const messages = body.messages as { role?: string; content?: unknown }[] | undefined;
  if (!Array.isArray(messages) || messages.length === 0) return 'messages must be a non-empty array';
  if (messages.some((m) => !['system', 'developer', 'user', 'assistant'].includes(m.role ?? '') || typeof m.content !== 'string')) {
    return 'each message needs a valid role and string content';
  }
  if (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2) return 'temperature must be 0..2';
  return formatProblem(body, messages as { content: string }[], options);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function completion(model: string, content: string | null, extra: { finish_reason?: string; refusal?: string } = {}): Json {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_763_800_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: extra.refusal ?? null }, finish_reason: extra.finish_reason ?? 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  };
}

function answer(res: ServerResponse, reply: FakeReply, model: string): void {
  const error = (status: number, err: Json, headers?: Record<string, string>): void => send(res, status, { error: err }, headers);
  switch (reply.kind) {
    case 'valid':
      return send(res, 200, completion(model, JSON.stringify(reply.verdict ?? VALID_VERDICT)));
    case 'invalid_json':
      return send(res, 200, completion(model, '{"severity": "critical", "confidence": '));
    case 'length':
      return send(res, 200, completion(model, '{"severity": "crit', { finish_reason: 'length' }));
    case 'refusal':
      return send(res, 200, completion(model, null, { refusal: 'I cannot help with that.' }));
    case 'rate_limited':
      return error(429, { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }, { 'retry-after': reply.retryAfter });
    case 'quota':
      return error(429, { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' });
    case 'server_error':
      return error(500, { message: 'The server had an error', type: 'server_error' });
    case 'reject_json_schema':
      return error(400, {
        message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
        type: 'invalid_request_error',
        param: 'response_format',
      });
    case 'slow':
      setTimeout(() => send(res, 200, completion(model, JSON.stringify(VALID_VERDICT))), reply.ms).unref();
  }
}

function readJson(req: IncomingMessage): Promise<Json | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Starts the fake on a free loopback port. */
export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  const queue: FakeReply[] = [];
  const requests: SeenRequest[] = [];
  const violations: string[] = [];
  const server: Server = createServer((req, res) => {
    void readJson(req).then((body) => {
      const path = req.url ?? '';
      if (req.method !== 'POST' || !['/v1/chat/completions', '/chat/completions'].includes(path)) return send(res, 404, { error: { message: 'not found' } });
      const problem = body === undefined ? 'body is not JSON' : requestProblem(req, body, options);
      if (problem === 'auth')
        return send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
      if (problem && !(problem.includes('json_schema') && options.noJsonSchema)) violations.push(problem);
      if (problem)
        return send(res, 400, { error: { message: problem, type: 'invalid_request_error', param: problem.includes('json') ? 'response_format' : null } });
      requests.push({ path, headers: req.headers, body: body! });
      const fallback: FakeReply = options.delayMs ? { kind: 'slow', ms: options.delayMs } : { kind: 'valid' };
      answer(res, queue.shift() ?? fallback, String(body!.model));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    script: (...replies) => void queue.push(...replies),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
