// OpenAI-compatible chat completions client for classification (external-formats.md section 8):
// plain OpenAI base URLs and LiteLLM proxies, `Authorization: Bearer` or `x-litellm-api-key`,
// temperature 0, a strict json_schema response format that steps down to json_object and then to
// none when the endpoint rejects it (400), every reply validated locally, retries with backoff
// and jitter on 429/5xx/timeouts honouring Retry-After (quota answers are never retried).
import pRetry from 'p-retry';
import { z } from 'zod';
import type { ClassifiableAlert, Verdict } from '../core/classification.ts';
import { type Answer, outbound } from '../outbound/client.ts';
import { OutboundError } from '../outbound/errors.ts';
import { type ErrorBody, errorFromStatus, LlmError, llmErrorFrom } from './llm-errors.ts';
import { buildMessages } from './prompt.ts';
import { parseVerdict, SCHEMA_NAME, VERDICT_JSON_SCHEMA } from './verdict.ts';
import { asError } from '../core/startup-error.ts';

/** How the client talks to the endpoint. */
export interface LlmClientOptions {
  /** `https://api.openai.com`, `.../v1`, a LiteLLM proxy, or the full `/chat/completions` URL. */
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
  timeoutMs: number;
  authHeader?: 'authorization' | 'x-litellm-api-key';
  /** Retries after the first attempt (<= 3 so retrying gateways do not multiply). */
  maxRetries?: number;
  /** Longest wait honoured from Retry-After. */
  maxRetryAfterMs?: number;
  temperature?: number;
  maxTokens?: number;
}

/** A successful classification call. */
export interface LlmAnswer {
  verdict: Verdict;
  model: string;
  latencyMs: number;
  attempts: number;
}

/** Per-call settings from an EnrichmentPolicy. */
export interface LlmOverrides {
  model?: string | undefined;
  instructions?: string | undefined;
  temperature?: number | undefined;
  timeoutMs?: number | undefined;
}

/** The classification client. */
export interface LlmClient {
  readonly model: string;
  classify(alert: ClassifiableAlert, overrides?: LlmOverrides): Promise<LlmAnswer>;
  /** The response format currently used (it steps down when the endpoint rejects one). */
  responseFormat(): ResponseTier;
}

/** Response format tiers, most to least strict. */
export type ResponseTier = 'json_schema' | 'json_object' | 'none';

const NEXT_TIER: Record<ResponseTier, ResponseTier | undefined> = { json_schema: 'json_object', json_object: 'none', none: undefined };
const FORMAT_PARAM = /response_format|json_schema|json_object|schema/i;

/** The part of a chat completion we read; a member of another type reads as absent. */
const completionSchema = z.object({
  model: z.string().optional().catch(undefined),
  choices: z
    .array(
      z.object({
        message: z
          .object({ content: z.string().nullish().catch(undefined), refusal: z.string().nullish().catch(undefined) })
          .optional()
          .catch(undefined),
        finish_reason: z.string().nullish().catch(undefined),
      }),
    )
    .optional()
    .catch(undefined),
});

type Completion = z.infer<typeof completionSchema>;

/** An error answer: `{"error": {...}}` or `{"error": "text"}`; members of another type read as absent. */
const errorReplySchema = z.object({
  error: z
    .union([
      z.string().transform((message): ErrorBody => ({ message })),
      z.object({
        message: z.string().optional().catch(undefined),
        type: z.string().optional().catch(undefined),
        param: z.string().nullish().catch(undefined),
        code: z.union([z.string(), z.number()]).nullish().catch(undefined),
      }),
    ])
    .optional()
    .catch(undefined),
});

/** Resolves the chat-completions URL from a base URL with or without `/v1`. */
export function completionsUrl(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  if (trimmed.endsWith('/chat/completions')) return trimmed;
  return trimmed.endsWith('/v1') ? `${trimmed}/chat/completions` : `${trimmed}/v1/chat/completions`;
}

function responseFormat(tier: ResponseTier): Record<string, unknown> {
  if (tier === 'json_schema') {
    return { response_format: { type: 'json_schema', json_schema: { name: SCHEMA_NAME, strict: true, schema: VERDICT_JSON_SCHEMA } } };
  }
  return tier === 'json_object' ? { response_format: { type: 'json_object' } } : {};
}

function headers(options: LlmClientOptions): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (!options.apiKey) return out;
  if (options.authHeader === 'x-litellm-api-key') out['x-litellm-api-key'] = options.apiKey;
  else out.authorization = `Bearer ${options.apiKey}`;
  return out;
}

function readError(text: string): ErrorBody | undefined {
  try {
    return errorReplySchema.safeParse(JSON.parse(text)).data?.error;
  } catch {
    return undefined;
  }
}

function verdictOf(completion: Completion): Verdict {
  const choice = completion.choices?.[0];
  if (!choice?.message) throw new LlmError('invalid_reply', 'reply has no choices[0].message');
  if (choice.message.refusal) throw new LlmError('refusal', 'the model refused to classify');
  if (choice.finish_reason === 'length') throw new LlmError('truncated', 'reply was cut off (finish_reason: length)');
  if (choice.finish_reason && choice.finish_reason !== 'stop') {
    throw new LlmError('invalid_reply', `unexpected finish_reason ${choice.finish_reason}`);
  }
  try {
    return parseVerdict(choice.message.content ?? '');
  } catch (err) {
    throw new LlmError('invalid_reply', asError(err).message);
  }
}

/** Creates the client; it keeps the response format the endpoint accepted. */
export function createLlmClient(options: LlmClientOptions): LlmClient {
  const url = completionsUrl(options.baseUrl);
  const requestHeaders = headers(options);
  let tier: ResponseTier = 'json_schema';

  async function send(body: string, timeoutMs: number): Promise<Answer> {
    try {
      return await outbound.send({ method: 'POST', url, headers: requestHeaders, body, timeoutMs });
    } catch (err) {
      throw err instanceof OutboundError ? llmErrorFrom(err) : err;
    }
  }

  /** Steps down to the next response format when a 400 is about the format; true if it did. */
  function stepDown(status: number, error: ErrorBody | undefined): boolean {
    const next = NEXT_TIER[tier];
    if (status !== 400 || !next || !FORMAT_PARAM.test(`${error?.param ?? ''} ${error?.message ?? ''}`)) return false;
    tier = next;
    return true;
  }

  async function post(alert: ClassifiableAlert, overrides: LlmOverrides): Promise<Completion> {
    const res = await send(
      JSON.stringify({
        model: overrides.model ?? options.model,
        messages: buildMessages(alert, overrides.instructions),
        temperature: overrides.temperature ?? options.temperature ?? 0,
        max_tokens: options.maxTokens ?? 800,
        ...responseFormat(tier),
      }),
      overrides.timeoutMs ?? options.timeoutMs,
    );
    // Not an object: no choices, which verdictOf reports as an invalid reply.
    if (res.ok) return completionSchema.safeParse(JSON.parse(res.text)).data ?? {};
    const error = readError(res.text);
    if (stepDown(res.status, error)) return post(alert, overrides);
    throw errorFromStatus(res.status, error, res.headers);
  }

  return {
    model: options.model,
    responseFormat: () => tier,
    async classify(alert, overrides = {}) {
      const started = performance.now();
      let attempts = 0;
      const cap = options.maxRetryAfterMs ?? 30_000;
      const completion = await pRetry(
        () => {
          attempts++;
          return post(alert, overrides);
        },
        {
          retries: Math.min(options.maxRetries ?? 3, 3),
          minTimeout: 250,
          maxTimeout: 5_000,
          randomize: true,
          shouldRetry: ({ error }) => error instanceof LlmError && error.retryable,
          onFailedAttempt: async ({ error }) => {
            const wait = error instanceof LlmError ? error.retryAfterMs : undefined;
            if (wait && wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, cap)));
          },
        },
      );
      const verdict = verdictOf(completion);
      return { verdict, model: completion.model ?? overrides.model ?? options.model, latencyMs: Math.round(performance.now() - started), attempts };
    },
  };
}
