// A minimal Server-Sent Events reader for tests: opens the stream with fetch, parses frames, and
// resolves when the frames seen so far satisfy a predicate (event driven, bounded by a timeout).

/** One parsed frame. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** An open stream. */
export interface SseClient {
  frames: SseFrame[];
  waitFor(predicate: (frames: SseFrame[]) => boolean, timeoutMs?: number): Promise<SseFrame[]>;
  close(): void;
  headers: Headers;
}

function parse(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    const m = /^(id|event|data): ?(.*)$/.exec(line);
    if (m) frame[m[1] as 'id' | 'event' | 'data'] = m[2];
  }
  return frame;
}

/** Opens `url` as an event stream. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  const frames: SseFrame[] = [];
  const waiters = new Set<() => void>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += value;
        let at: number;
        while ((at = buffered.indexOf('\n\n')) >= 0) {
          frames.push(parse(buffered.slice(0, at)));
          buffered = buffered.slice(at + 2);
        }
        waiters.forEach((w) => w());
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    frames,
    headers: res.headers,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(frames)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...frames]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`stream: condition not met within ${timeoutMs} ms; saw ${frames.map((f) => f.event ?? `:${f.comment ?? ''}`).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
