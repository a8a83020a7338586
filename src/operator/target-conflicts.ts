// Warning Events on labelled Secrets whose target is shadowed: by a PublishingTarget of the same
// namespace and name (the CR wins and its Ready condition says ConflictingTarget), or by another
// labelled Secret defining the same target (the one whose name sorts first wins). Secrets have no
// status, so the Event is what a `kubectl describe secret` shows. Only the leader records them,
// once per conflict (again when the winner changes, and after each election).
import type { ShadowedSecret } from './catalog.ts';
import type { KubeRest } from './kube/rest.ts';
import { recordEvent } from './status.ts';

/** Options of {@link createConflictReporter}. */
export interface ConflictReporterOptions {
  rest: KubeRest;
  isLeader: () => boolean;
  now: () => Date;
  onError: (secret: string, err: unknown) => void;
}

/** Reports shadowed Secrets. */
export interface ConflictReporter {
  /** Records an Event for each Secret newly shadowed (leader only) and forgets resolved ones. */
  report(conflicts: readonly ShadowedSecret[]): Promise<void>;
  /** Forgets what was reported, so a new leadership term reports every conflict again. */
  reset(): void;
}

const describeConflict = (c: ShadowedSecret): string => `${c.key} ${c.winner}`;

/** The Event message: which target, what wins, and how to end it. */
export function conflictMessage(c: ShadowedSecret): string {
  return `target ${c.key} is also defined by ${c.winner}, which wins: this Secret is ignored (rename its target or remove the other definition)`;
}

/** Creates the reporter. */
export function createConflictReporter(options: ConflictReporterOptions): ConflictReporter {
  const reported = new Map<string, string>();

  async function record(c: ShadowedSecret): Promise<void> {
    const [namespace = '', name = ''] = c.secret.split('/');
    try {
      await recordEvent(
        options.rest,
        { apiVersion: 'v1', kind: 'Secret', namespace, name },
        { type: 'Warning', reason: 'ConflictingTarget', message: conflictMessage(c), component: 'alert-history', now: options.now().toISOString() },
      );
    } catch (err) {
      reported.delete(c.secret);
      options.onError(c.secret, err);
    }
  }

  return {
    async report(conflicts) {
      const current = new Set(conflicts.map((c) => c.secret));
      for (const secret of [...reported.keys()]) if (!current.has(secret)) reported.delete(secret);
      if (!options.isLeader()) return;
      const fresh = conflicts.filter((c) => reported.get(c.secret) !== describeConflict(c));
      fresh.forEach((c) => reported.set(c.secret, describeConflict(c)));
      await Promise.all(fresh.map(record));
    },
    reset: () => reported.clear(),
  };
}
