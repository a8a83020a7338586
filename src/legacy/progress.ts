// Progress of an import on stderr: on a terminal one line rewritten in place (rows read / total,
// rate, ETA), otherwise a plain line every `everyMs` (logs and CI).

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  total: number;
  tty: boolean;
  everyMs: number;
  write: (text: string) => void;
  now?: () => number;
}

/** Reports rows read so far. */
export interface Progress {
  update(read: number): void;
  /** Ends the terminal line. */
  done(): void;
}

const TTY_EVERY_MS = 200;

function eta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}

/** The progress text: `1200/5000 rows (24 %), 3100 rows/s, ETA 2 s`. */
export function progressText(read: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round((read * 1000) / elapsedMs) : 0;
  const pct = total > 0 ? Math.min(100, Math.floor((read * 100) / total)) : 100;
  const left = rate > 0 ? Math.max(0, total - read) / rate : Infinity;
  return `${read}/${total} rows (${pct} %), ${rate} rows/s, ETA ${eta(left)}`;
}

/** Creates the progress reporter. */
export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const started = now();
  let last = started;
  let shown = false;
  const every = o.tty ? TTY_EVERY_MS : o.everyMs;
  return {
    update(read) {
      const t = now();
      if (t - last < every) return;
      last = t;
      const line = `import-legacy: ${progressText(read, o.total, t - started)}`;
      if (o.tty) {
        o.write(`\r\u001b[K${line}`);
        shown = true;
      } else o.write(`${line}\n`);
    },
    done() {
      if (shown) o.write('\n');
      shown = false;
    },
  };
}
