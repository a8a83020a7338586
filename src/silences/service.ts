// Silences from the dashboard: create and expire them in Alertmanager and record who did it
// (silence_actions), list the live ones matching an alert, and mark listed alerts as silenced. The
// silences fetched from Alertmanager are reused for `cacheMs` (one fetch at a time, a failure is
// not kept) and dropped at once after a create or an expire, so the author sees the change.
import { AppError } from '../core/errors.ts';
import { isLive, matchersMatch, type NewSilence, type Silence, type SilenceAction, type SilenceActionStore, type SilenceMatcher } from '../core/silence.ts';
import type { SilenceApi } from './alertmanager-client.ts';

/** A silence to create: the matchers, how long, why and who; and the alert it was made from. */
export interface SilenceRequest {
  matchers: SilenceMatcher[];
  durationMs: number;
  comment: string;
  author: string;
  fingerprint?: string | undefined;
}

/** An expiry: who, and the alert page it was done from. */
export interface ExpireRequest {
  id: string;
  author: string;
  fingerprint?: string | undefined;
}

/** What the routes use. */
export interface SilenceService {
  /** The masked Alertmanager URL. */
  readonly shownUrl: string;
  /** Live (active or pending) silences matching `labels`, soonest ending first. */
  matching(labels: Readonly<Record<string, string>>): Promise<Silence[]>;
  /** Active silences per fingerprint among the known alerts of `fingerprints` (only silenced ones are keys). */
  marks(fingerprints: readonly string[]): Promise<Record<string, string[]>>;
  create(request: SilenceRequest): Promise<{ silence: Silence | undefined; action: SilenceAction }>;
  expire(request: ExpireRequest): Promise<SilenceAction>;
}

/** Dependencies of {@link createSilenceService}. */
export interface SilenceServiceDeps {
  api: SilenceApi;
  actions: SilenceActionStore;
  cacheMs: number;
  now?: () => number;
}

interface Cached {
  at: number;
  silences: Promise<Silence[]>;
}

function soonestEnd(a: Silence, b: Silence): number {
  return a.endsAt.localeCompare(b.endsAt) || a.id.localeCompare(b.id);
}

/** Creates the service. */
export function createSilenceService(deps: SilenceServiceDeps): SilenceService {
  const now = deps.now ?? Date.now;
  let cached: Cached | undefined;

  function all(): Promise<Silence[]> {
    if (cached && now() - cached.at < deps.cacheMs) return cached.silences;
    const entry: Cached = { at: now(), silences: deps.api.list() };
    cached = entry;
    entry.silences.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry.silences;
  }

  async function matching(labels: Readonly<Record<string, string>>): Promise<Silence[]> {
    return (await all()).filter((s) => isLive(s) && matchersMatch(s.matchers, labels)).sort(soonestEnd);
  }

  async function marks(fingerprints: readonly string[]): Promise<Record<string, string[]>> {
    const labels = await deps.actions.labelsOf(fingerprints);
    if (labels.size === 0) return {};
    const active = (await all()).filter((s) => s.state === 'active');
    const out: Record<string, string[]> = {};
    for (const [fingerprint, set] of labels) {
      const ids = active.filter((s) => matchersMatch(s.matchers, set)).map((s) => s.id);
      if (ids.length > 0) out[fingerprint] = ids;
    }
    return out;
  }

  async function create(request: SilenceRequest): Promise<{ silence: Silence | undefined; action: SilenceAction }> {
    const startsAt = new Date(now());
    const silence: NewSilence = {
      matchers: request.matchers,
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + request.durationMs).toISOString(),
      createdBy: request.author,
      comment: request.comment,
    };
    const id = await deps.api.create(silence);
    cached = undefined;
    const action = await deps.actions.record({
      action: 'create',
      silenceId: id,
      fingerprint: request.fingerprint ?? null,
      matchers: silence.matchers,
      startsAt: silence.startsAt,
      endsAt: silence.endsAt,
      author: request.author,
      comment: request.comment,
    });
    const shown = await deps.api.get(id).catch(() => undefined);
    return { silence: shown, action };
  }

  async function expire(request: ExpireRequest): Promise<SilenceAction> {
    const silence = await deps.api.get(request.id);
    if (silence.state === 'expired') throw new AppError('CONFLICT', `silence ${silence.id} is already expired`, { details: { silence_id: silence.id } });
    await deps.api.expire(silence.id);
    cached = undefined;
    return deps.actions.record({
      action: 'expire',
      silenceId: silence.id,
      fingerprint: request.fingerprint ?? null,
      matchers: silence.matchers,
      startsAt: silence.startsAt,
      endsAt: silence.endsAt,
      author: request.author,
      comment: silence.comment,
    });
  }

  return { shownUrl: deps.api.shownUrl, matching, marks, create, expire };
}
