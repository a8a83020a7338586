// The webhook limits tests parse with: the configuration's defaults, so tests follow the schema.
import { configSchema } from '../../src/config/schema.ts';
import type { IngestLimits } from '../../src/ingest/webhook.ts';

/** The default ingest limits of config.yaml's `webhook` section. */
export function defaultIngestLimits(): IngestLimits {
  return configSchema.parse({}).webhook;
}
