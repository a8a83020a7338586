// Legacy Secret-based target discovery (crds.md "Secret-based discovery"), kept pure so that every
// quirk of the two legacy formats is unit-tested against the fixtures without a cluster. Reasons
// end up in Events, logs and metrics that anyone with read access sees, so they name the Secret,
// the key and the field but never a URL, key, token or header value.
import type { Severity } from '../core/classification.ts';
import { type DefinedTarget, defineTarget, type FilterDefinition } from '../core/define-target.ts';
import { type PublisherRegistry, TARGET_TYPES, type Target, type TargetHeader, type TargetType } from '../core/publishing.ts';
import { redact, Secret } from '../core/secret.ts';
import { normaliseSeverityLabel } from '../core/severity.ts';
import { isDns1123Label } from '../config/schema-parts.ts';
import { patternProblem } from '../core/pattern.ts';
import { isRecord } from '../core/guards.ts';

/** The labels that mark a Secret as a publishing target; either one is enough. */
export const TARGET_SECRET_LABELS: readonly { key: string; value: string }[] = [
  { key: 'publishing-target', value: 'true' },
  { key: 'alert-history.io/target', value: 'true' },
];

/** True when the labels carry one of {@link TARGET_SECRET_LABELS}. */
export function isTargetSecret(labels: Readonly<Record<string, string>> | undefined): boolean {
  return TARGET_SECRET_LABELS.some((label) => labels?.[label.key] === label.value);
}

/** The parts of a v1 Secret the parser reads. */
export interface SecretObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; resourceVersion?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** A target, or why the Secret was skipped (one line naming the Secret and key, never a value). */
export type SecretParse = { ok: true; target: Target } | { ok: false; reason: string };

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const FRACTION = /^(?:\d+(?:\.\d+)?|\.\d+)$/;
const SHOWABLE = /^[\w.-]{1,64}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const MAX_PATTERN = 1024;
const LABEL_RULE = 'lower-case letters, digits and "-", at most 63 characters';

/** `config` wins over `target.json` when a Secret has both. */
const CONFIG_KEYS = ['config', 'target.json'];
/** Types whose publisher sends the key itself (PagerDuty in the body, Rootly as Bearer). */
const CREDENTIAL_TYPES: ReadonlySet<TargetType> = new Set<TargetType>(['pagerduty', 'rootly']);
/** Headers where the legacy services kept those keys, most specific first. */
const CREDENTIAL_HEADERS = ['routing_key', 'routing-key', 'api_key', 'api-key', 'authorization'];
/** Legacy URLs held the vendor path that our publishers append themselves. */
const VENDOR_PATHS: Partial<Record<TargetType, RegExp>> = { pagerduty: /\/v2\/enqueue\/*$/, rootly: /\/v1\/alerts\/*$/ };
/** Legacy payload formats that all mean "an Alertmanager webhook body", i.e. our webhook type. */
const PAYLOAD_FORMATS: ReadonlySet<string> = new Set(['webhook', 'alertmanager']);
const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

type Field = 'name' | 'type' | 'format' | 'url' | 'enabled' | 'severity' | 'namespaces' | 'excludeNoise' | 'minConfidence' | 'alertNamePattern';

/** One value as found (JSON value or decoded text) and where, for reasons. */
interface Raw {
  value: unknown;
  where: string;
}

interface RawHeader extends Raw {
  name: string;
}

/** Flat-key auth: `as-is` is the whole Authorization value (auth-header). */
interface RawAuth {
  scheme: 'as-is' | 'Bearer' | 'Token';
  value: string;
  where: string;
}

/** Both legacy formats reduced to one shape before mapping. */
interface RawSpec {
  fields: Partial<Record<Field, Raw>>;
  headers: RawHeader[];
  auth: RawAuth | undefined;
  /** The flat format documents the URL as required; the JSON one leaves it to the publisher. */
  urlRequired: boolean;
}

interface CheckedHeader {
  name: string;
  value: string;
  where: string;
}

interface Access {
  headers: TargetHeader[];
  credentials: Secret | undefined;
  credentialsWhere: string | undefined;
}

const JSON_TOP: readonly [Field, string][] = [
  ['name', 'name'],
  ['type', 'type'],
  ['format', 'format'],
  ['url', 'url'],
  ['enabled', 'enabled'],
];
const JSON_FILTER: readonly [Field, string][] = [
  ['severity', 'severity'],
  ['namespaces', 'namespaces'],
  ['excludeNoise', 'exclude_noise'],
  ['minConfidence', 'min_confidence'],
  ['alertNamePattern', 'alert_name_pattern'],
];
const FLAT: readonly [Field, string[]][] = [
  ['name', ['target-name']],
  ['type', ['type']],
  ['format', ['format']],
  ['url', ['url', 'webhook-url']],
  ['enabled', ['enabled']],
  ['severity', ['filter-severity']],
  ['namespaces', ['filter-namespaces']],
  ['excludeNoise', ['exclude-noise']],
  ['minConfidence', ['min-confidence']],
  ['alertNamePattern', ['alert-name-pattern']],
];
/** In the legacy order of precedence when several are set. */
const FLAT_AUTH: readonly [string, RawAuth['scheme']][] = [
  ['auth-header', 'as-is'],
  ['api-key', 'Bearer'],
  ['token', 'Token'],
];

/** A rejection whose message is already safe to show. */
class Invalid extends Error {}

function keyOf(key: string): string {
  return `key ${JSON.stringify(key)}`;
}

/** Quotes harmless words (names, types, severities); anything else could be a misplaced secret. */
function show(value: string): string {
  return SHOWABLE.test(value) ? JSON.stringify(value) : `a value of ${value.length} characters`;
}

function decodeValue(key: string, encoded: unknown): string {
  if (typeof encoded !== 'string' || !BASE64.test(encoded)) throw new Invalid(`${keyOf(key)}: not valid base64`);
  try {
    return UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw new Invalid(`${keyOf(key)}: not UTF-8 text`);
  }
}

function decodeData(secret: SecretObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, encoded] of Object.entries(secret.data ?? {})) out.set(key, decodeValue(key, encoded));
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out.set(key, String(value));
  return out;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  throw new Invalid(`${where}: must be a JSON object`);
}

function fromConfig(key: string, text: string): RawSpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be the URL or a key.
    throw new Invalid(`${keyOf(key)}: not valid JSON`);
  }
  const at = (field: string): string => `${keyOf(key)} field ${JSON.stringify(field)}`;
  const top = asObject(parsed, keyOf(key));
  const filter = top.filter_config == null ? {} : asObject(top.filter_config, at('filter_config'));
  const headers = top.headers == null ? {} : asObject(top.headers, at('headers'));
  const pick = (from: Record<string, unknown>, prefix: string) => (entry: readonly [Field, string]) =>
    [entry[0], from[entry[1]] == null ? undefined : { value: from[entry[1]], where: at(`${prefix}${entry[1]}`) }] as const;
  return {
    fields: Object.fromEntries([...JSON_TOP.map(pick(top, '')), ...JSON_FILTER.map(pick(filter, 'filter_config.'))]),
    headers: Object.entries(headers).map(([name, value]) => ({ name, value, where: at(`headers.${name}`) })),
    auth: undefined,
    urlRequired: false,
  };
}

function fromFlatKeys(data: ReadonlyMap<string, string>): RawSpec {
  const present = (key: string): Raw | undefined => (data.get(key)?.trim() ? { value: data.get(key), where: keyOf(key) } : undefined);
  const fields = Object.fromEntries(FLAT.map(([field, keys]) => [field, keys.map(present).find(Boolean)]));
  const headers = [...data]
    .filter(([key]) => key.startsWith('header-'))
    .map(([key, value]) => ({ name: key.slice('header-'.length), value, where: keyOf(key) }));
  const [authKey, scheme] = FLAT_AUTH.find(([key]) => present(key)) ?? [];
  const auth = authKey && scheme ? { scheme, value: (data.get(authKey) ?? '').trim(), where: keyOf(authKey) } : undefined;
  return { fields, headers, auth, urlRequired: true };
}

function readSpec(data: ReadonlyMap<string, string>): RawSpec {
  const key = CONFIG_KEYS.find((k) => data.get(k)?.trim());
  return key === undefined ? fromFlatKeys(data) : fromConfig(key, data.get(key) ?? '');
}

/** Trimmed text, undefined when absent or blank (values often end in a newline from `echo | base64`). */
function text(raw: Raw | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const { value } = raw;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Invalid(`${raw.where}: must be a string`);
  return String(value).trim() || undefined;
}

function bool(raw: Raw | undefined): boolean | undefined {
  const word = text(raw)?.toLowerCase();
  if (word === undefined) return undefined;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new Invalid(`${raw?.where}: must be true, false, 1, 0, yes or no`);
}

function list(raw: Raw | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = Array.isArray(raw.value) ? raw.value.map((value: unknown) => text({ value, where: raw.where })) : (text(raw)?.split(',') ?? []);
  const out = parts.map((part) => part?.trim()).filter((part): part is string => Boolean(part));
  return out.length > 0 ? out : undefined;
}

function severities(raw: Raw | undefined): Severity[] | undefined {
  const values = list(raw);
  if (raw === undefined || values === undefined) return undefined;
  const out = new Set<Severity>();
  for (const value of values) {
    const severity = normaliseSeverityLabel(value);
    if (!severity) throw new Invalid(`${raw.where}: ${show(value)} is not a severity (critical, warning, info, noise)`);
    out.add(severity);
  }
  return [...out];
}

function namespaces(raw: Raw | undefined): string[] | undefined {
  const values = list(raw);
  const bad = values?.find((value) => !isDns1123Label(value));
  if (raw !== undefined && bad !== undefined) throw new Invalid(`${raw.where}: ${show(bad)} is not a namespace name (${LABEL_RULE})`);
  return values;
}

function fraction(raw: Raw | undefined): number | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  const number = FRACTION.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 0 && number <= 1)) throw new Invalid(`${raw?.where}: must be a number from 0 to 1`);
  return number;
}

function pattern(raw: Raw | undefined): string | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (value.length > MAX_PATTERN) throw new Invalid(`${raw?.where}: longer than ${MAX_PATTERN} characters`);
  const problem = patternProblem(value);
  if (problem) throw new Invalid(`${raw?.where}: ${problem}`);
  return value;
}

function targetFilter(fields: RawSpec['fields']): FilterDefinition {
  const filter: FilterDefinition = { excludeNoise: bool(fields.excludeNoise) ?? true };
  const found = {
    severities: severities(fields.severity),
    namespaces: namespaces(fields.namespaces),
    minConfidence: fraction(fields.minConfidence),
    alertNamePattern: pattern(fields.alertNamePattern),
  };
  for (const [key, value] of Object.entries(found)) if (value !== undefined) Object.assign(filter, { [key]: value });
  return filter;
}

function targetName(raw: Raw | undefined, secretName: string): string {
  const explicit = text(raw);
  const name = explicit ?? secretName;
  if (isDns1123Label(name)) return name;
  if (raw === undefined || explicit === undefined) {
    throw new Invalid(`metadata.name ${show(name)} is not a DNS-1123 label (${LABEL_RULE}); set a target name`);
  }
  throw new Invalid(`${raw.where}: ${show(name)} is not a DNS-1123 label (${LABEL_RULE})`);
}

function knownType(raw: Raw | undefined, what: string): TargetType | undefined {
  const value = text(raw)?.toLowerCase();
  if (raw === undefined || value === undefined) return undefined;
  const known = TARGET_TYPES.find((t) => t === value);
  if (known) return known;
  throw new Invalid(`${raw.where}: ${show(value)} is not a ${what} we support (${TARGET_TYPES.join(', ')})`);
}

function targetType(fields: RawSpec['fields']): TargetType {
  const type = knownType(fields.type, 'type');
  const format = knownType(fields.format, 'format');
  if (type === undefined) return format === undefined || PAYLOAD_FORMATS.has(format) ? 'webhook' : format;
  if (format === undefined || format === type || (PAYLOAD_FORMATS.has(format) && PAYLOAD_FORMATS.has(type))) return type;
  throw new Invalid(`${fields.format?.where}: "${format}" does not fit type "${type}" (leave it out or make it "${type}")`);
}

function checkHeader(raw: RawHeader): CheckedHeader | undefined {
  if (!HEADER_NAME.test(raw.name)) throw new Invalid(`${raw.where}: ${show(raw.name)} is not an HTTP header name`);
  const value = text(raw);
  if (value !== undefined && /[\r\n\0]/.test(value)) throw new Invalid(`${raw.where}: the header value holds a line break or NUL`);
  // Publishers set Content-Type themselves; a second one would be sent as a comma-joined pair.
  return value === undefined || raw.name.toLowerCase() === 'content-type' ? undefined : { name: raw.name, value, where: raw.where };
}

function toTargetHeader(header: CheckedHeader): TargetHeader {
  return { name: header.name, value: new Secret(header.value) };
}

function isCredentialHeader(header: CheckedHeader): boolean {
  return CREDENTIAL_HEADERS.includes(header.name.toLowerCase());
}

/** PagerDuty/Rootly: the key goes to `credentials`, never out as a header (fixture recommendation). */
function withCredentials(headers: CheckedHeader[], auth: RawAuth | undefined): Access {
  const fromHeader = CREDENTIAL_HEADERS.map((name) => headers.find((h) => h.name.toLowerCase() === name)).find(Boolean);
  const source = auth ?? fromHeader;
  const key = source?.value.replace(/^(?:bearer|token)\s+/i, '');
  return {
    headers: headers.filter((h) => !isCredentialHeader(h)).map(toTargetHeader),
    credentials: key ? new Secret(key) : undefined,
    credentialsWhere: source?.where,
  };
}

function withAuthHeader(headers: CheckedHeader[], auth: RawAuth | undefined): Access {
  if (auth === undefined) return { headers: headers.map(toTargetHeader), credentials: undefined, credentialsWhere: undefined };
  const value = auth.scheme === 'as-is' ? auth.value : `${auth.scheme} ${auth.value}`;
  const others = headers.filter((h) => h.name.toLowerCase() !== 'authorization');
  return { headers: [...others, { name: 'Authorization', value, where: auth.where }].map(toTargetHeader), credentials: undefined, credentialsWhere: undefined };
}

function access(spec: RawSpec, type: TargetType): Access {
  const headers = spec.headers.map(checkHeader).filter((h): h is CheckedHeader => h !== undefined);
  return CREDENTIAL_TYPES.has(type) ? withCredentials(headers, spec.auth) : withAuthHeader(headers, spec.auth);
}

function targetUrl(spec: RawSpec, type: TargetType): Secret | undefined {
  const url = text(spec.fields.url);
  if (url === undefined && spec.urlRequired) throw new Invalid('key "url" (or "webhook-url"): required');
  const vendorPath = VENDOR_PATHS[type];
  return url === undefined ? undefined : new Secret(vendorPath ? url.replace(vendorPath, '') : url);
}

function checkWithPublisher({ target, problem }: DefinedTarget, origin: { url?: string; credentials?: string }): void {
  if (problem === undefined) return;
  const from = problem.startsWith('url') ? origin.url : problem.startsWith('credentials') ? origin.credentials : undefined;
  // Publisher problems name fields only; redacting anyway keeps that a guarantee, not a habit.
  const safe = redact(problem, [target.url, target.credentials, ...target.headers.map((h) => h.value)]);
  throw new Invalid(from ? `${safe} (from ${from})` : safe);
}

function buildTarget(secret: SecretObject, spec: RawSpec, registry: PublisherRegistry): Target {
  const name = targetName(spec.fields.name, secret.metadata.name);
  const type = targetType(spec.fields);
  const { headers, credentials, credentialsWhere } = access(spec, type);
  const defined = defineTarget(
    {
      name,
      namespace: secret.metadata.namespace,
      source: 'secret',
      type,
      enabled: bool(spec.fields.enabled),
      url: targetUrl(spec, type),
      credentials,
      headers,
      filter: targetFilter(spec.fields),
    },
    registry,
  );
  checkWithPublisher(defined, { url: spec.fields.url?.where, credentials: credentialsWhere });
  return defined.target;
}

/** Turns one labelled Secret in either legacy format into a Target, or says why it cannot. */
export function parseTargetSecret(secret: SecretObject, registry: PublisherRegistry): SecretParse {
  const id = `Secret ${secret.metadata.namespace}/${secret.metadata.name}`;
  try {
    if (!isTargetSecret(secret.metadata.labels)) {
      throw new Invalid(`not labelled ${TARGET_SECRET_LABELS.map((l) => `${l.key}=${l.value}`).join(' or ')}`);
    }
    return { ok: true, target: buildTarget(secret, readSpec(decodeData(secret)), registry) };
  } catch (err) {
    // An unexpected error's message might quote a value, so only its class is reported.
    const message = err instanceof Invalid ? err.message : `could not be parsed (${err instanceof Error ? err.name : 'unknown error'})`;
    return { ok: false, reason: `${id}: ${message.replace(/\s+/g, ' ')}` };
  }
}
