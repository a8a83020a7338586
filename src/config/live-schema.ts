// The live section: bounds of the dashboard's event stream (GET /api/v2/events/stream) on each
// replica, and the lifetime of the single-use tickets a browser trades its API token for.
import { z } from 'zod';
import { intIn } from './schema-parts.ts';

/** The live section. */
export const liveSchema = z
  .object({
    /** Open streams per replica; one more gets 503 with Retry-After. */
    maxSubscribers: intIn(1, 100_000).default(256),
    /** Unsent bytes a stream may hold before it is dropped; also the resume buffer (a client that missed more resyncs). */
    maxBufferedBytes: intIn(64 * 1024, 256 * 1024 * 1024).default(1024 * 1024),
    /** Lifetime of a stream ticket (POST /api/v2/events/ticket). */
    ticketTtlSeconds: intIn(5, 3_600).default(60),
  })
  .strict()
  .prefault({});
