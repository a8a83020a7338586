// Loads config.yaml (from --config, else CONFIG_FILE, else ./config.yaml when present), overlays
// the environment and validates once. The only module that reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { applyEnv, envNameFor } from './env.ts';
import { expandTargetReferences } from './expand.ts';
import { configSchema, type Config } from './schema.ts';
import { asError, errnoOf } from '../core/startup-error.ts';
import { isRecord } from '../core/guards.ts';

/** A configuration problem: one line naming the key, the problem and the allowed values. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Where to read configuration from. */
export interface LoadOptions {
  configPath?: string;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

const SECRET_PATHS = [
  'database.url',
  'webhook.auth',
  'auth.apiTokens',
  'llm.apiKey',
  'redis.url',
  'silences.url',
  'silences.username',
  'silences.password',
  'silences.bearerToken',
];
/** Target fields that may hold secrets (URLs of Slack webhooks, keys, header values). */
const SECRET_TARGET_FIELD = /^publishing\.targets\.\d+\.(url|credentials|headers)/;

function isSecretPath(path: string): boolean {
  return SECRET_TARGET_FIELD.test(path) || SECRET_PATHS.some((p) => path === p || path.startsWith(`${p}.`));
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Reflect.get(node, key);
  }
  return node;
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown): string {
  const keys = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const path = keys.join('.') || '(root)';
  const env = envNameFor(keys);
  const where = env ? `${path} (env ${env})` : path;
  if (issue.code === 'unrecognized_keys') {
    return `config: ${where}: unknown key(s) ${issue.keys.join(', ')}; see config/config.example.yaml`;
  }
  const value = valueAt(doc, issue.path);
  const shown = value === undefined || isSecretPath(path) ? '' : ` (got ${JSON.stringify(value)})`;
  return `config: ${where}: ${issue.message}${shown}`;
}

function configFile(options: LoadOptions, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath ?? env.CONFIG_FILE;
  if (explicit) return resolve(cwd, explicit);
  const local = resolve(cwd, 'config.yaml');
  return existsSync(local) ? local : undefined;
}

function readDocument(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${file}: ${errnoOf(err) ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config: ${file} is not valid YAML: ${asError(err).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isRecord(doc)) throw new ConfigError(`config: ${file} must hold a mapping`);
  return doc;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The loaded configuration and the file it came from. */
export interface LoadedConfig {
  config: Config;
  file: string | undefined;
}

/** Reads, validates and freezes the configuration; throws {@link ConfigError} on the first problem. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = configFile(options, env);
  const expanded = expandTargetReferences(readDocument(file), env);
  const missing = expanded.problems[0];
  if (missing) throw new ConfigError(`config: ${missing.path}: environment variable ${missing.variable} is not set`);
  const doc = applyEnv(expanded.doc, env);
  const result = configSchema.safeParse(doc);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ConfigError(first ? describeIssue(first, doc) : 'config: invalid');
  }
  return { config: deepFreeze(result.data), file };
}
