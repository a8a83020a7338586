// The Node flags the embedded store runs with. PGlite is PostgreSQL compiled to WebAssembly; V8
// compiles it with its baseline compiler (Liftoff) and tiers hot functions up to its optimizing
// compiler (TurboFan). One of PostgreSQL's functions (about 105 KB of WASM) takes TurboFan 5-7 s of
// CPU and about 600 MB of compiler memory, a few seconds after the database opens, idle or not:
// that transient is what took a first start from ~290 MB to 0.7-0.9 GB of peak RSS and got pods
// with a 384-512 MiB limit OOM-killed (docs/benchmarks.md). These flags keep WASM on Liftoff.
// They are V8 options, which NODE_OPTIONS refuses and which cannot be set once the process runs,
// so every launcher passes them on the command line: the image's ENTRYPOINT, bin/alert-history,
// `make run`/`make cli` and the bench. PostgreSQL mode compiles no WASM; they cost it nothing.

/** The flags, in the order the launchers pass them. */
export const EMBEDDED_NODE_FLAGS = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'] as const;

/** The flags this process was not started with (empty when all are there). */
export function missingEmbeddedFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return EMBEDDED_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
