// Silences from the dashboard (docs/silences.md): the live Alertmanager silences matching an alert
// or a label set, create and expire (API token, like every write), the silenced marks of listed
// alerts, and the history of who silenced what. Without silences.url every route but the status and
// the history answers NOT_CONFIGURED.
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { AppError, validationError } from '../../core/errors.ts';
import type { Silence, SilenceAction, SilenceActionStore } from '../../core/silence.ts';
import { jsonRoute } from '../../http/json-route.ts';
import { intParam, parseQuery, textParam } from '../../http/query.ts';
import type { RouteTable } from '../../http/route-table.ts';
import type { SilenceService } from '../../silences/service.ts';
import { createBody, expireBody, FINGERPRINT, parseBody, SILENCE_ID } from './silence-body.ts';

/** Dependencies of the silence routes. */
export interface SilenceRouteDeps {
  /** Undefined when silences are off (no silences.url). */
  service: SilenceService | undefined;
  actions: SilenceActionStore;
  maxDurationMs: number;
  /** Guards writes (API token). */
  guard: RequestHandler;
}

/** Most fingerprints one marks request may name. */
const MAX_MARKS = 500;
const many = (max: number, item: z.ZodType<string>): z.ZodType<string[]> =>
  z.preprocess((v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(item).max(max, `at most ${max} values`));

const LABEL = z.string().regex(/^[^=]+=[\s\S]*$/, 'must be name=value');
const matchingQuery = z.object({ fingerprint: FINGERPRINT.optional(), label: many(64, LABEL) });
const marksQuery = z.object({ fingerprint: many(MAX_MARKS, FINGERPRINT) });
const actionsQuery = z.object({ fingerprint: textParam, silence_id: textParam, limit: intParam(1, 500, 100) });

/** A silence as the API shows it: Alertmanager's gettableSilence shape. */
export function silenceView(s: Silence): Record<string, unknown> {
  return {
    id: s.id,
    status: { state: s.state },
    matchers: s.matchers,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    createdBy: s.createdBy,
    comment: s.comment,
    updatedAt: s.updatedAt,
  };
}

function actionView(a: SilenceAction): Record<string, unknown> {
  return {
    id: a.id,
    action: a.action,
    silence_id: a.silenceId,
    fingerprint: a.fingerprint,
    matchers: a.matchers,
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    author: a.author,
    comment: a.comment,
    created_at: a.createdAt,
  };
}

function enabled(deps: SilenceRouteDeps): SilenceService {
  if (deps.service) return deps.service;
  throw new AppError('NOT_CONFIGURED', 'silences are not configured: set silences.url (SILENCES_ALERTMANAGER_URL) to the Alertmanager that holds them');
}

async function labelsOfRequest(deps: SilenceRouteDeps, req: Request): Promise<Record<string, string>> {
  const q = parseQuery(matchingQuery, req);
  if ((q.fingerprint === undefined) === (q.label.length === 0))
    throw validationError([{ path: 'fingerprint', message: 'give a fingerprint or label=name=value parameters (not both)' }]);
  if (q.fingerprint === undefined) return Object.fromEntries(q.label.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const labels = (await deps.actions.labelsOf([q.fingerprint])).get(q.fingerprint);
  if (!labels) throw new AppError('NOT_FOUND', `no alert with fingerprint ${q.fingerprint}`);
  return labels;
}

function silenceId(req: Request): string {
  const parsed = SILENCE_ID.safeParse(req.params.id);
  if (!parsed.success) throw validationError([{ path: 'id', message: parsed.error.issues[0]?.message ?? 'invalid' }]);
  return parsed.data;
}

/** Registers /silences*. */
export function registerSilenceRoutes(router: Router, table: RouteTable, deps: SilenceRouteDeps): void {
  const json = express.json({ limit: '256kb' });
  const create = createBody(deps.maxDurationMs);
  table.add(router, 'get', '/silences/status', (_req, res) => {
    res.json({ enabled: deps.service !== undefined, alertmanager_url: deps.service?.shownUrl ?? null, max_duration_seconds: deps.maxDurationMs / 1000 });
  });
  table.add(
    router,
    'get',
    '/silences',
    jsonRoute(async (req) => {
      const service = enabled(deps);
      const labels = await labelsOfRequest(deps, req);
      return { labels, silences: (await service.matching(labels)).map(silenceView) };
    }),
  );
  table.add(
    router,
    'get',
    '/silences/marks',
    jsonRoute(async (req) => {
      const service = enabled(deps);
      return { silenced: await service.marks(parseQuery(marksQuery, req).fingerprint) };
    }),
  );
  table.add(
    router,
    'get',
    '/silences/actions',
    jsonRoute(async (req) => {
      const q = parseQuery(actionsQuery, req);
      return { actions: (await deps.actions.list({ fingerprint: q.fingerprint, silenceId: q.silence_id, limit: q.limit })).map(actionView) };
    }),
  );
  table.add(
    router,
    'post',
    '/silences',
    deps.guard,
    json,
    jsonRoute(async (req, res) => {
      const service = enabled(deps);
      const body = parseBody(create, req);
      const { silence, action } = await service.create({ ...body, durationMs: body.duration });
      res.status(201);
      return { silence_id: action.silenceId, silence: silence ? silenceView(silence) : null, action: actionView(action) };
    }),
  );
  table.add(
    router,
    'post',
    '/silences/:id/expire',
    deps.guard,
    json,
    jsonRoute(async (req) => {
      const service = enabled(deps);
      const id = silenceId(req);
      const body = parseBody(expireBody, req);
      const action = await service.expire({ id, ...body });
      return { silence_id: action.silenceId, expired: true, action: actionView(action) };
    }),
  );
}
