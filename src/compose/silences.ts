// Wires silences from the configuration: the Alertmanager client on the service's outbound layer,
// the service with its cache, and the history store. No silences.url: no service (routes answer
// NOT_CONFIGURED), the history still reads.
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import type { SilenceActionStore } from '../core/silence.ts';
import { createSilenceMetrics } from '../observability/silence-metrics.ts';
import { outbound } from '../outbound/client.ts';
import { createSilenceApi } from '../silences/alertmanager-client.ts';
import { createSilenceService, type SilenceService } from '../silences/service.ts';
import type { Db } from '../store/db.ts';
import { createSilenceActionStore } from '../store/silence-actions.ts';

/** What the silence routes get. */
export interface SilenceParts {
  service: SilenceService | undefined;
  actions: SilenceActionStore;
  maxDurationMs: number;
}

/** Builds the silence parts over `db`; with `registry`, requests to Alertmanager are counted there. */
export function buildSilences(config: Config, db: Db, registry?: Registry): SilenceParts {
  const s = config.silences;
  const actions = createSilenceActionStore(db);
  const service = s.url
    ? createSilenceService({
        api: createSilenceApi({
          url: s.url,
          username: s.username,
          password: s.password,
          bearerToken: s.bearerToken,
          timeoutMs: s.timeoutMs,
          outbound,
          onResult: registry ? createSilenceMetrics(registry) : undefined,
        }),
        actions,
        cacheMs: s.cacheSeconds * 1000,
      })
    : undefined;
  return { service, actions, maxDurationMs: s.maxDuration };
}
