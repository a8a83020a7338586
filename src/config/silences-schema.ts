// The silences section: the Alertmanager the dashboard's "Silence" button creates silences on
// (API v2), its credential (basic or bearer; the secret values usually from SILENCES_* variables)
// and deadlines. Without `url`, silences are off: the dashboard hides the buttons and the routes
// answer NOT_CONFIGURED.
import { z } from 'zod';
import { duration, intIn } from './schema-parts.ts';

const DAY_MS = 86_400_000;

/** The silences section. */
export const silencesSchema = z
  .object({
    /** Alertmanager's base URL (the one whose /api/v2/silences holds the silences); unset = off. */
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    bearerToken: z.string().min(1).optional(),
    /** Deadline of each request to Alertmanager. */
    timeoutMs: intIn(100, 120_000).default(5_000),
    /** How long the list of silences fetched from Alertmanager is reused (marks in lists). */
    cacheSeconds: intIn(0, 3_600).default(10),
    /** The longest silence the API creates. */
    maxDuration: duration.default(30 * DAY_MS).refine((ms) => ms >= 60_000 && ms <= 3_650 * DAY_MS, 'must be from 1m to 3650d'),
  })
  .strict()
  .refine((s) => (s.username === undefined) === (s.password === undefined), { message: 'username and password must be set together', path: ['username'] })
  .refine((s) => s.bearerToken === undefined || s.username === undefined, { message: 'set bearerToken or username/password, not both', path: ['bearerToken'] })
  .prefault({});

/** The silences section as validated. */
export type SilencesConfig = z.infer<typeof silencesSchema>;
