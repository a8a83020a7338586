// Response shapes and OpenAPI operations of the silence routes (routes/silences.ts, docs/silences.md).
// Silences keep Alertmanager's gettableSilence shape (camelCase); envelopes use the API's snake_case.
import { z } from 'zod';
import type { Op } from './openapi.ts';

const Matcher = z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean() });

/** A silence as Alertmanager holds it. */
export const Silence = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
  matchers: z.array(Matcher),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  updatedAt: z.string(),
});

/** One recorded silence action. */
export const SilenceAction = z.object({
  id: z.number().int(),
  action: z.enum(['create', 'expire']),
  silence_id: z.string(),
  fingerprint: z.string().nullable(),
  matchers: z.array(Matcher),
  starts_at: z.string().nullable(),
  ends_at: z.string().nullable(),
  author: z.string(),
  comment: z.string(),
  created_at: z.string(),
});

export const SilencesStatusResponse = z.object({ enabled: z.boolean(), alertmanager_url: z.string().nullable(), max_duration_seconds: z.number() });
export const SilencesMatchingResponse = z.object({ labels: z.record(z.string(), z.string()), silences: z.array(Silence) });
export const SilenceMarksResponse = z.object({ silenced: z.record(z.string(), z.array(z.string())) });
export const SilenceActionsResponse = z.object({ actions: z.array(SilenceAction) });
export const SilenceCreatedResponse = z.object({ silence_id: z.string(), silence: Silence.nullable(), action: SilenceAction });
export const SilenceExpiredResponse = z.object({ silence_id: z.string(), expired: z.literal(true), action: SilenceAction });

const fp = (description: string): Op['params'] => [{ name: 'fingerprint', in: 'query', description, repeat: true }];

/** The silence routes in the OpenAPI document. */
export const SILENCE_OPS: Record<string, Record<string, Op>> = {
  '/silences/status': {
    get: { summary: 'Whether silences are configured (silences.url), the masked Alertmanager URL and the longest silence', ok: SilencesStatusResponse },
  },
  '/silences': {
    get: {
      summary:
        "Active and pending Alertmanager silences matching an alert's labels (fingerprint) or a label set (label=name=value, repeatable), soonest ending first (501 NOT_CONFIGURED without silences.url)",
      params: [
        { name: 'fingerprint', in: 'query', description: 'a known alert' },
        { name: 'label', in: 'query', description: 'name=value, repeatable (instead of fingerprint)', repeat: true },
      ],
      ok: SilencesMatchingResponse,
    },
    post: {
      summary:
        'Create a silence in Alertmanager and record who made it (API token): {matchers:[{name,value,isRegex,isEqual}], duration (1m..silences.maxDuration), comment, author, fingerprint?}',
      ok: SilenceCreatedResponse,
      okStatus: '201',
      body: true,
    },
  },
  '/silences/marks': {
    get: {
      summary: 'Which of the listed alerts active silences match: {silenced: {fingerprint: [silence ids]}}',
      params: fp('repeatable, at most 500'),
      ok: SilenceMarksResponse,
    },
  },
  '/silences/actions': {
    get: {
      summary: 'Who created or expired which silence and when, newest first',
      params: [
        { name: 'fingerprint', in: 'query', description: 'the alert the silence was made from' },
        { name: 'silence_id', in: 'query', description: 'one silence' },
        { name: 'limit', in: 'query', description: '1..500, default 100' },
      ],
      ok: SilenceActionsResponse,
    },
  },
  '/silences/{id}/expire': {
    post: {
      summary: 'Expire a silence in Alertmanager and record who did it (API token): {author, fingerprint?}; 409 when already expired, 404 when unknown',
      params: [{ name: 'id', in: 'path', description: 'silence id', required: true }],
      ok: SilenceExpiredResponse,
      body: true,
    },
  },
};
