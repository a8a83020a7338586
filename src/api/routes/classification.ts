// Classification API (api-contract.md, Classification) and the enrichment mode switch. Writes
// (classify, refresh, bulk, mode changes) need an API token when auth.apiTokens is set; reads need
// it with auth.protectReads, applied by the RouteTable to every GET route.
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { ClassifiedAlert, StoredClassification } from '../../core/classification.ts';
import { AppError, validationError } from '../../core/errors.ts';
import { alertFingerprint } from '../../core/fingerprint.ts';
import { ENRICHMENT_MODES, type EnrichmentMode, type ModeStore } from '../../core/enrichment.ts';
import type { ClassificationService } from '../../pipeline/classification-service.ts';
import { jsonRoute } from '../../http/json-route.ts';
import type { RouteTable } from '../../http/route-table.ts';

/** Dependencies of the classification routes. */
export interface ClassificationRouteDeps {
  service: ClassificationService;
  modes: ModeStore;
  /** Guards writes (API token). */
  guard: RequestHandler;
  onModeSwitch: (from: EnrichmentMode, to: EnrichmentMode) => void;
}

const FINGERPRINT = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of [A-Za-z0-9._:-]');
const stringMap = z.record(z.string().min(1), z.string().max(64 * 1024));

const classifyBody = z
  .object({
    alert: z
      .object({
        labels: stringMap.refine((l) => Object.keys(l).length > 0, 'labels must not be empty'),
        annotations: stringMap.default({}),
        status: z.enum(['firing', 'resolved']).default('firing'),
        fingerprint: FINGERPRINT.optional(),
      })
      .optional(),
    fingerprint: FINGERPRINT.optional(),
    force: z.boolean().default(false),
  })
  .refine((b) => (b.alert === undefined) !== (b.fingerprint === undefined), { message: 'give exactly one of alert or fingerprint' });

const bulkBody = z.object({
  fingerprints: z.array(FINGERPRINT).min(1, 'at least 1 fingerprint').max(50, 'at most 50 fingerprints'),
  force_refresh: z.boolean().default(false),
});

const modeBody = z.object({
  mode: z.enum(ENRICHMENT_MODES, { error: `mode must be one of ${ENRICHMENT_MODES.join(', ')}` }),
});

function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.body ?? {});
  if (result.success) return result.data;
  throw validationError(result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
}

/** A classification as the API shows it. */
function resultOf(r: ClassifiedAlert): Record<string, unknown> {
  const { cached: _cached, latencyMs, promptVersion, ...verdict } = r;
  return { ...verdict, processing_time_ms: latencyMs, prompt_version: promptVersion };
}

function resultBody(r: ClassifiedAlert, startedMs: number): Record<string, unknown> {
  return {
    result: resultOf(r),
    cached: r.cached,
    model: r.model,
    processing_time_ms: Math.round(performance.now() - startedMs),
  };
}

async function classifyRequest(service: ClassificationService, req: Request): Promise<Record<string, unknown>> {
  const started = performance.now();
  const body = parseBody(classifyBody, req);
  if (body.fingerprint) {
    const known = await service.classifyKnown(body.fingerprint, body.force);
    if (!known) throw new AppError('NOT_FOUND', `no alert with fingerprint ${body.fingerprint}`);
    return resultBody(known, started);
  }
  const alert = body.alert!;
  const fingerprint = alert.fingerprint ?? alertFingerprint(alert.labels);
  const result = await service.classify({ fingerprint, status: alert.status, labels: alert.labels, annotations: alert.annotations }, { force: body.force });
  return resultBody(result, started);
}

async function bulk(service: ClassificationService, req: Request): Promise<Record<string, unknown>> {
  const started = performance.now();
  const body = parseBody(bulkBody, req);
  const results: Record<string, unknown>[] = [];
  const errors: { fingerprint: string; error: string }[] = [];
  for (const fingerprint of body.fingerprints) {
    const r = await service.classifyKnown(fingerprint, body.force_refresh);
    if (r) results.push({ fingerprint, ...resultOf(r), cached: r.cached });
    else errors.push({ fingerprint, error: 'unknown fingerprint' });
  }
  return { results, total_processed: results.length, errors, processing_time: Math.round(performance.now() - started) };
}

/** A stored classification as GET /classification/{fingerprint} (and /history/{fingerprint}) show it. */
export function classificationView(fingerprint: string, c: StoredClassification): Record<string, unknown> {
  return {
    fingerprint,
    severity: c.severity,
    confidence: c.confidence,
    reasoning: c.reasoning,
    recommendations: c.recommendations,
    category: c.category,
    source: c.source,
    model: c.model,
    processing_time: c.latencyMs,
    cached: true,
    created_at: c.createdAt,
  };
}

/** Registers /classification/* and /enrichment/mode. */
export function registerClassificationRoutes(router: Router, table: RouteTable, deps: ClassificationRouteDeps): void {
  const { service, modes, guard } = deps;
  const json = express.json({ limit: '1mb' });
  table.add(router, 'get', '/classification/stats', (_req, res) => {
    res.json(service.stats());
  });
  table.add(router, 'get', '/classification/models', (_req, res) => {
    const model = service.classifier.model;
    const models = [
      ...(model ? [{ name: model, provider: 'openai-compatible', default: true }] : []),
      { name: 'rules', provider: 'builtin', default: model === undefined },
    ];
    res.json({ models, active: model ?? 'rules' });
  });
  table.add(
    router,
    'post',
    '/classification/classify',
    guard,
    json,
    jsonRoute((req) => classifyRequest(service, req)),
  );
  table.add(
    router,
    'post',
    '/classification/bulk',
    guard,
    json,
    jsonRoute((req) => bulk(service, req)),
  );
  table.add(
    router,
    'post',
    '/classification/refresh/:fingerprint',
    guard,
    jsonRoute(async (req) => {
      const started = performance.now();
      const fingerprint = String(req.params.fingerprint);
      const result = await service.classifyKnown(fingerprint, true);
      if (!result) throw new AppError('NOT_FOUND', `no alert with fingerprint ${fingerprint.slice(0, 128)}`);
      return resultBody(result, started);
    }),
  );
  table.add(
    router,
    'get',
    '/classification/:fingerprint',
    jsonRoute(async (req) => {
      const fingerprint = String(req.params.fingerprint);
      const c = await service.latest(fingerprint);
      if (!c) throw new AppError('NOT_FOUND', `no classification for ${fingerprint.slice(0, 128)}`);
      return classificationView(fingerprint, c);
    }),
  );
  table.add(
    router,
    'get',
    '/enrichment/mode',
    jsonRoute(() => modes.get()),
  );
  table.add(
    router,
    'post',
    '/enrichment/mode',
    guard,
    json,
    jsonRoute(async (req) => {
      const { mode } = parseBody(modeBody, req);
      const before = await modes.get();
      const after = await modes.set(mode);
      if (before.mode !== mode) deps.onModeSwitch(before.mode, mode);
      return after;
    }),
  );
}
