// A prom-client Counter for the hot path (one increment per stored alert or per request): a label
// set seen before is found through one Map per label, by value, and its increments are summed there;
// prom-client gets the sums when the registry is read (its collect hook), instead of hashing and
// validating the label object on every call. Scrapes and get() see the same values as with a plain
// Counter; the first increment of a label set goes to prom-client directly, so an unknown label
// name still throws at the call.
import { Counter, type CounterConfiguration, type LabelValues } from 'prom-client';

interface Entry<T extends string> {
  labels: LabelValues<T>;
  value: number;
}

type Level = Map<unknown, unknown>;

/** The per-label-set sums, reached by one Map per label name in `names` order. */
class Sums<T extends string> {
  readonly entries: Entry<T>[] = [];
  private root: Level = new Map();
  private readonly names: readonly T[];

  constructor(names: readonly T[]) {
    this.names = names;
  }

  private leaf(labels: LabelValues<T>, create: boolean): Level | undefined {
    let level = this.root;
    for (let i = 0; i < this.names.length - 1; i++) {
      const key = labels[this.names[i]!];
      // Every level above the last label name holds levels.
      let next = level.get(key) as Level | undefined;
      if (!next) {
        if (!create) return undefined;
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    return level;
  }

  find(labels: LabelValues<T>): Entry<T> | undefined {
    // The last level holds entries.
    return this.leaf(labels, false)?.get(labels[this.names.at(-1)!]) as Entry<T> | undefined;
  }

  add(labels: LabelValues<T>): Entry<T> {
    const entry: Entry<T> = { labels: { ...labels }, value: 0 };
    this.leaf(labels, true)!.set(labels[this.names.at(-1)!], entry);
    this.entries.push(entry);
    return entry;
  }

  clear(): void {
    this.root = new Map();
    this.entries.length = 0;
  }
}

/** Only label names of the counter, and no more of them than it has. */
function knownLabels(names: readonly string[], labels: object): boolean {
  let count = 0;
  for (const name in labels) {
    if (!names.includes(name)) return false;
    count++;
  }
  return count <= names.length;
}

const plainAmount = (value: number | undefined): boolean => value === undefined || (value > 0 && Number.isFinite(value));

type Direct<T extends string> = (labels: LabelValues<T> | number | undefined, value?: number) => void;

/** A Counter with labels whose `inc(labels, value)` is cheap for label sets it has seen. */
export function createBufferedCounter<T extends string>(config: CounterConfiguration<T> & { labelNames: readonly T[] }): Counter<T> {
  const sums = new Sums<T>(config.labelNames);
  const counter = new Counter<T>({
    ...config,
    collect(this: Counter<T>) {
      flush();
      return config.collect?.call(this);
    },
  });
  // prom-client's overloaded inc, bound as the (labels, value) form the flush calls.
  const direct = counter.inc.bind(counter) as Direct<T>;
  const reset = counter.reset.bind(counter);
  const remove = counter.remove.bind(counter);

  function flush(): void {
    for (const entry of sums.entries) {
      if (entry.value === 0) continue;
      direct(entry.labels, entry.value);
      entry.value = 0;
    }
  }

  // One implementation of prom-client's overloaded inc (hence the cast below).
  counter.inc = ((labels?: LabelValues<T> | number, value?: number): void => {
    if (typeof labels !== 'object') return direct(labels);
    const entry = plainAmount(value) && knownLabels(config.labelNames, labels) ? sums.find(labels) : undefined;
    if (entry) {
      entry.value += value ?? 1;
      return;
    }
    direct(labels, value); // validates: throws for an unknown label name or a bad amount
    if (plainAmount(value)) sums.add(labels);
  }) as Counter<T>['inc'];
  counter.reset = (): void => {
    sums.clear();
    reset();
  };
  // One implementation of prom-client's overloaded remove (hence the cast below).
  counter.remove = ((...args: Parameters<Counter<T>['remove']>): void => {
    flush();
    sums.clear();
    remove(...args);
  }) as Counter<T>['remove'];
  return counter;
}
