// Group commit for the ingest path: items that arrive while a group's statement runs are written
// together by the next statement ("natural batching"). An idle service writes each item at once,
// so a lone request pays no added latency; a busy one shares one statement and one commit among
// every request that arrived meanwhile. Each caller's promise settles only after the statement
// that holds its item has committed (or failed).

/** Tuning of {@link createGroupCommit} (config: webhook.groupCommit). */
export interface GroupCommitOptions {
  /**
   * Rows one group holds at most. An item of this many rows or more is written alone at once,
   * outside the slots: the statement's fixed cost is small next to its rows, and grouping it would
   * only take away parallelism (measured: 100-alert bodies grouped by ten ran at half the rate).
   */
  maxRows: number;
  /** Group statements running at once; arrivals wait for a free slot and join one group. */
  maxInFlight: number;
  /**
   * When a slot is free but another group's statement is running: how long the oldest waiting
   * item may wait for others to join before its group starts (0: start at once). Never applies
   * when nothing is running, so an idle service never waits.
   */
  maxWaitMs: number;
}

/** Defaults, chosen by measurement (docs/adr/0008-group-commit.md). */
export const GROUP_COMMIT_DEFAULTS: Readonly<GroupCommitOptions> = Object.freeze({ maxRows: 100, maxInFlight: 2, maxWaitMs: 0 });

/** What a finished group was: its size, and whether its shared statement failed. */
export interface GroupReport {
  items: number;
  rows: number;
  /** The statement failed (a group of several items was then retried one item at a time when allowed). */
  failed: boolean;
}

/** How items are grouped and written. */
export interface GroupWriter<I, O> {
  /** Rows an item adds to a group. */
  rows(item: I): number;
  /** Items with different keys never share a statement (e.g. different outbox plans). */
  key(item: I): string;
  /** Writes the items in one statement (one transaction): one output per item, in order. */
  write(items: readonly I[]): Promise<O[]>;
  /**
   * Whether a failed group is written again one item at a time, so that only the item whose own
   * rows fail the statement fails (false, e.g. for a database that is down: every item fails).
   */
  retryAlone(err: unknown): boolean;
  /** Told about every group once it settled (metrics). */
  onGroup?: ((report: GroupReport) => void) | undefined;
  /** Told how many items wait for a slot whenever that may have changed (metrics). */
  onQueue?: ((waiting: number) => void) | undefined;
}

interface Pending<I, O> {
  item: I;
  rows: number;
  key: string;
  queuedAt: number;
  resolve: (output: O) => void;
  reject: (err: unknown) => void;
}

/** Writes `group` in one statement; settles every item's promise. */
async function writeGroup<I, O>(writer: GroupWriter<I, O>, group: readonly Pending<I, O>[]): Promise<boolean> {
  try {
    const outputs = await writer.write(group.map((p) => p.item));
    if (outputs.length !== group.length) throw new Error(`group commit: ${outputs.length} results for ${group.length} items`);
    group.forEach((p, i) => p.resolve(outputs[i]!));
    return false;
  } catch (err) {
    if (group.length > 1 && writer.retryAlone(err)) await writeEachAlone(writer, group);
    else for (const p of group) p.reject(err);
    return true;
  }
}

/** After a shared statement failed: one statement per item, so only the culprit fails. */
async function writeEachAlone<I, O>(writer: GroupWriter<I, O>, group: readonly Pending<I, O>[]): Promise<void> {
  for (const p of group) {
    try {
      const [output] = await writer.write([p.item]);
      p.resolve(output!);
    } catch (err) {
      p.reject(err);
    }
  }
}

/** The queue and its slots; see the file comment. */
class GroupCommit<I, O> {
  readonly #writer: GroupWriter<I, O>;
  readonly #options: GroupCommitOptions;
  #queue: Pending<I, O>[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(writer: GroupWriter<I, O>, options: GroupCommitOptions) {
    this.#writer = writer;
    this.#options = options;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const pending = { item, rows: this.#writer.rows(item), key: this.#writer.key(item), queuedAt: performance.now(), resolve, reject };
      if (pending.rows >= this.#options.maxRows) return void this.#run([pending], false);
      this.#queue.push(pending);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#options.maxInFlight) {
      const waitMs = this.#waitFor();
      if (waitMs > 0) {
        this.#wake(waitMs);
        break;
      }
      void this.#run(this.#take());
    }
    this.#writer.onQueue?.(this.#queue.length);
  }

  /** How much longer the queue should wait for more items before a free slot takes it. */
  #waitFor(): number {
    const { maxWaitMs, maxRows } = this.#options;
    if (maxWaitMs <= 0 || this.#inFlight === 0) return 0;
    if (this.#queue.reduce((n, p) => n + p.rows, 0) >= maxRows) return 0;
    return this.#queue[0]!.queuedAt + maxWaitMs - performance.now();
  }

  #wake(afterMs: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, afterMs);
    this.#timer.unref();
  }

  /** The next group: the oldest item, then later items of its key while the rows fit. */
  #take(): Pending<I, O>[] {
    const key = this.#queue[0]!.key;
    const group: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    let rows = 0;
    for (const p of this.#queue) {
      const fits = group.length === 0 || (p.key === key && rows + p.rows <= this.#options.maxRows);
      (fits ? group : rest).push(p);
      if (fits) rows += p.rows;
    }
    this.#queue = rest;
    return group;
  }

  /** Writes a group; `slot`: it holds one of the maxInFlight slots (a large item alone does not). */
  async #run(group: Pending<I, O>[], slot = true): Promise<void> {
    if (slot) this.#inFlight++;
    let failed = true;
    try {
      failed = await writeGroup(this.#writer, group);
    } finally {
      if (slot) this.#inFlight--;
      this.#writer.onGroup?.({ items: group.length, rows: group.reduce((n, p) => n + p.rows, 0), failed });
      if (slot) this.#pump();
    }
  }
}

/**
 * Creates a group committer over `writer`: the returned function resolves with the item's own
 * output once the statement holding it has committed.
 */
export function createGroupCommit<I, O>(writer: GroupWriter<I, O>, options: GroupCommitOptions = GROUP_COMMIT_DEFAULTS): (item: I) => Promise<O> {
  if (!(options.maxRows >= 1 && options.maxInFlight >= 1 && options.maxWaitMs >= 0))
    throw new RangeError('group commit: maxRows and maxInFlight must be >= 1, maxWaitMs >= 0');
  const commit = new GroupCommit(writer, options);
  return (item) => commit.submit(item);
}
