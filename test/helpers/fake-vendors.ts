// A local stand-in for the SaaS endpoints our publishers call: PagerDuty Events v2, Slack incoming
// webhooks and Web API, Rootly's alerts API, a generic Alertmanager-v4 webhook receiver and
// Alertmanager's own alerts API. Each request is checked as strictly as the vendor documents it
// (docs/external-formats.md sections 1.2-1.3 and 4-7), because the real services are lenient in
// places that hide our bugs and strict in places we would otherwise only meet in production. A
// malformed request gets the vendor's own error and lands in `violations`; a well-formed one lands
// in `requests` and gets the vendor's normal success unless the test scripted something else.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** The endpoint families the fake serves. */
export type Vendor = 'pagerduty' | 'slack-webhook' | 'slack-api' | 'rootly' | 'webhook' | 'alertmanager';

/** A request that passed its vendor's validation. */
export interface VendorRequest {
  vendor: Vendor;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBody: string;
}

/** What the next valid request of a vendor gets instead of the normal success; `hold` leaves it unanswered until `release()`. */
export type ScriptedReply = { status: number; headers?: Record<string, string>; body?: string } | { hold: true };

/** A message held by the fake Slack Web API. */
export interface SlackMessage {
  channel: string;
  text: string;
  thread_ts?: string;
  updated: number;
}

/** An alert held by the fake Rootly API. */
export interface RootlyAlert {
  attributes: Record<string, unknown>;
  resolved: boolean;
}

/** The running fake. */
export interface FakeVendors {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request that passed validation, in arrival order. */
  requests: VendorRequest[];
  /** One message per request rejected as malformed (a correct client produces none). */
  violations: string[];
  /** Queues the next replies to valid requests of one vendor; when the queue is empty they get the vendor's normal success. */
  script(vendor: Vendor, ...replies: ScriptedReply[]): void;
  /** Answers every held request with the vendor's normal success. */
  release(): void;
  /** Resolves with a copy of `requests` once the predicate holds over them, or rejects after `timeoutMs` (default 10 000). */
  waitFor(predicate: (requests: VendorRequest[]) => boolean, timeoutMs?: number): Promise<VendorRequest[]>;
  /** Messages posted through the fake Slack Web API, keyed by `ts`. */
  slackMessages(): Map<string, SlackMessage>;
  /** Alerts created through the fake Rootly API, keyed by id. */
  rootlyAlerts(): Map<string, RootlyAlert>;
  /** Ends held requests and closes the server. */
  close(): Promise<void>;
}

/** Credentials the fake insists on; without one, any well-formed credential is accepted and the generic webhook needs none. */
export interface FakeVendorsOptions {
  pagerdutyRoutingKey?: string;
  slackBotToken?: string;
  rootlyApiKey?: string;
  webhookBearer?: string;
  /** Port to listen on (0 = any free port; hack/fake-vendors.ts uses a fixed one). */
  port?: number;
}

type Json = Record<string, unknown>;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Success is deferred so that state (Slack messages, Rootly alerts) changes only when the vendor's
// normal success is really given, not when a scripted 429 or 503 stands in for it.
type Verdict = { problem: string; reply: Reply } | { success: () => Reply };

interface Incoming {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  mediaType: string;
  rawBody: string;
  bytes: number;
  body: unknown;
  json: boolean;
}

interface Route {
  vendor: Vendor;
  matches: (method: string, path: string) => boolean;
  check: (req: Incoming) => Verdict;
}

interface State {
  options: FakeVendorsOptions;
  slack: Map<string, SlackMessage>;
  rootly: Map<string, RootlyAlert>;
  tsCounter: number;
}

interface Waiter {
  check: () => void;
  cancel: (reason: string) => void;
}

interface Core {
  routes: Route[];
  requests: VendorRequest[];
  violations: string[];
  scripts: Map<Vendor, ScriptedReply[]>;
  held: { res: ServerResponse; success: () => Reply }[];
  waiters: Set<Waiter>;
}

// ---------------------------------------------------------------------------------------------
// Shared checks and replies

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);
const optional = (v: unknown, test: (x: unknown) => boolean): boolean => v === undefined || test(v);
const defined = (p: string | undefined): p is string => p !== undefined;
// Vendors count characters, not UTF-16 code units.
const chars = (s: string): number => [...s].length;

// Go writes RFC 3339 with 0 to 9 fraction digits and requires an offset (external-formats.md 1.4).
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
// PagerDuty's own example timestamp has the offset `+0000`, so ISO 8601 also takes offsets without a colon.
const ISO8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ZERO_TIME = '0001-01-01T00:00:00Z';

function timeOf(s: string): number {
  return Date.parse(s.replace(/\.(\d{1,3})\d*/, '.$1').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

// Date.parse rolls 2026-02-30 over to March and takes 24:00, which Go's time.Parse rejects.
function realDate(s: string): boolean {
  const day = new Date(Date.parse(`${s.slice(0, 10)}T00:00:00Z`)).getUTCDate();
  return !Number.isNaN(timeOf(s)) && day === Number(s.slice(8, 10)) && Number(s.slice(11, 13)) < 24;
}

const isRfc3339 = (v: unknown): v is string => typeof v === 'string' && RFC3339.test(v) && realDate(v);
const isIso8601 = (v: unknown): v is string => typeof v === 'string' && ISO8601.test(v) && realDate(v);
const isZeroTime = (s: string): boolean => timeOf(s) === timeOf(ZERO_TIME);

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function text(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

const reject = (problem: string, reply: Reply): Verdict => ({ problem, reply });

function labelSetProblem(labels: unknown, at: string): string | undefined {
  if (!isStringMap(labels)) return `${at} must be an object of string values`;
  if (Object.keys(labels).includes('')) return `${at} has an empty label name`;
  return nonEmpty(labels.alertname) ? undefined : `${at}.alertname is required`;
}

// ---------------------------------------------------------------------------------------------
// PagerDuty Events API v2: https://developer.pagerduty.com/docs/send-alert-event

// https://developer.pagerduty.com/docs/events-api-v2-overview#api-limits says "512 KB"; read as KiB so
// that a client capping at 512 000 bytes, as Alertmanager does, is never flagged.
const PD_MAX_BYTES = 512 * 1024;
// https://developer.pagerduty.com/docs/send-alert-event (payload.summary, dedup_key).
const PD_SUMMARY_MAX = 1024;
const PD_DEDUP_KEY_MAX = 255;
const PD_ROUTING_KEY_LENGTH = 32;
const PD_ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'];

const isPdImage = (i: unknown): boolean =>
  isObject(i) && isString(i.src) && i.src.startsWith('https://') && optional(i.href, isString) && optional(i.alt, isString);
const isPdLink = (l: unknown): boolean => isObject(l) && nonEmpty(l.href) && optional(l.text, isString);

function pdPayloadProblem(payload: unknown): string | undefined {
  if (!isObject(payload)) return "'payload' is required for trigger events and must be an object";
  if (!nonEmpty(payload.summary) || chars(payload.summary) > PD_SUMMARY_MAX) {
    return `'payload.summary' must be a non-empty string of at most ${PD_SUMMARY_MAX} characters`;
  }
  if (!nonEmpty(payload.source)) return "'payload.source' must be a non-empty string";
  if (!PD_SEVERITIES.includes(payload.severity as string)) return "'payload.severity' must be critical, error, warning or info";
  if (!optional(payload.timestamp, isIso8601)) return "'payload.timestamp' must be an ISO 8601 date-time with an offset";
  const notString = ['component', 'group', 'class'].find((k) => !optional(payload[k], isString));
  if (notString) return `'payload.${notString}' must be a string`;
  return optional(payload.custom_details, isObject) ? undefined : "'payload.custom_details' must be an object";
}

function pdContextProblem(body: Json): string | undefined {
  if (!optional(body.images, (v) => Array.isArray(v) && v.every(isPdImage))) return "'images' must be an array of {src (https://), href?, alt?}";
  if (!optional(body.links, (v) => Array.isArray(v) && v.every(isPdLink))) return "'links' must be an array of {href, text?}";
  const notString = ['client', 'client_url'].find((k) => !optional(body[k], isString));
  return notString ? `'${notString}' must be a string` : undefined;
}

function pdDedupProblem(body: Json): string | undefined {
  const key = body.dedup_key;
  if (key === undefined) return body.event_action === 'trigger' ? undefined : `'dedup_key' is required for ${String(body.event_action)} events`;
  return nonEmpty(key) && chars(key) <= PD_DEDUP_KEY_MAX ? undefined : `'dedup_key' must be a non-empty string of at most ${PD_DEDUP_KEY_MAX} characters`;
}

function pdEventProblem(body: unknown, options: FakeVendorsOptions): string | undefined {
  if (!isObject(body)) return 'the event must be a JSON object';
  const key = body.routing_key;
  if (!isString(key) || key.length !== PD_ROUTING_KEY_LENGTH) return `'routing_key' must be the ${PD_ROUTING_KEY_LENGTH}-character integration key`;
  if (options.pagerdutyRoutingKey !== undefined && key !== options.pagerdutyRoutingKey) return "'routing_key' is not the configured integration key";
  if (!PD_ACTIONS.includes(body.event_action as string)) return "'event_action' must be trigger, acknowledge or resolve";
  const dedup = pdDedupProblem(body);
  if (dedup) return dedup;
  // Acknowledge and resolve need only routing_key, event_action and dedup_key; PagerDuty ignores a payload on them.
  return (body.event_action === 'trigger' ? pdPayloadProblem(body.payload) : undefined) ?? pdContextProblem(body);
}

function pdRequestProblem(req: Incoming, options: FakeVendorsOptions): string | undefined {
  if (req.bytes > PD_MAX_BYTES) return `the event is ${req.bytes} bytes, over the ${PD_MAX_BYTES}-byte limit`;
  if (req.mediaType !== 'application/json') return `Content-Type must be application/json, not ${req.mediaType || '(none)'}`;
  return req.json ? pdEventProblem(req.body, options) : 'the body is not valid JSON';
}

function pagerduty(state: State): Route {
  return {
    vendor: 'pagerduty',
    matches: (method, path) => method === 'POST' && path === '/v2/enqueue',
    check: (req) => {
      const problem = pdRequestProblem(req, state.options);
      if (problem) return reject(problem, json(400, { status: 'invalid event', message: 'Event object is invalid', errors: [problem] }));
      const sent = (req.body as Json).dedup_key;
      // Without a dedup_key PagerDuty generates one and returns it.
      const dedupKey = isString(sent) ? sent : randomUUID().replaceAll('-', '');
      return { success: () => json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey }) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Slack: incoming webhooks (https://api.slack.com/messaging/webhooks) and the Web API
// (https://api.slack.com/methods/chat.postMessage, https://api.slack.com/methods/chat.update).

// https://api.slack.com/reference/block-kit/blocks
const SLACK_MAX_BLOCKS = 50;
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_TEXT_MAX = 3000;
const SLACK_SECTION_FIELDS_MAX = 10;
const SLACK_FIELD_TEXT_MAX = 2000;
const SLACK_BLOCK_ID_MAX = 255;
// https://api.slack.com/reference/messaging/attachments (more than 100 is `too_many_attachments`).
const SLACK_MAX_ATTACHMENTS = 100;
const SLACK_COLOR = /^(good|warning|danger|#[0-9A-Fa-f]{6})$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
const SLACK_DEFAULT_CHANNEL = 'C0123456789';
const SLACK_BOT = { user: 'U0FAKEBOT1', bot_id: 'B0FAKEBOT1' };

interface SlackProblem {
  error: string;
  detail: string;
}

function isTextObject(v: unknown, max: number, types = ['plain_text', 'mrkdwn']): boolean {
  return isObject(v) && types.includes(v.type as string) && nonEmpty(v.text) && chars(v.text) <= max;
}

function sectionProblem(block: Json): string | undefined {
  if (block.text === undefined && block.fields === undefined) return 'a section needs text or fields';
  if (!optional(block.text, (t) => isTextObject(t, SLACK_SECTION_TEXT_MAX)))
    return `section text must be a text object of 1 to ${SLACK_SECTION_TEXT_MAX} characters`;
  const { fields } = block;
  if (fields === undefined) return undefined;
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > SLACK_SECTION_FIELDS_MAX)
    return `section fields must hold 1 to ${SLACK_SECTION_FIELDS_MAX} items`;
  return fields.every((f) => isTextObject(f, SLACK_FIELD_TEXT_MAX))
    ? undefined
    : `each section field must be a text object of 1 to ${SLACK_FIELD_TEXT_MAX} characters`;
}

function blockProblem(block: unknown, at: string): string | undefined {
  if (!isObject(block) || !nonEmpty(block.type)) return `${at} needs a type`;
  if (!optional(block.block_id, (id) => nonEmpty(id) && chars(id) <= SLACK_BLOCK_ID_MAX)) return `${at}.block_id must be 1 to ${SLACK_BLOCK_ID_MAX} characters`;
  if (block.type === 'header') {
    return isTextObject(block.text, SLACK_HEADER_MAX, ['plain_text']) ? undefined : `${at}: a header takes plain_text of 1 to ${SLACK_HEADER_MAX} characters`;
  }
  const problem = block.type === 'section' ? sectionProblem(block) : undefined;
  return problem && `${at}: ${problem}`;
}

function blocksProblem(blocks: unknown, at = 'blocks'): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length > SLACK_MAX_BLOCKS) return `${at} must be an array of at most ${SLACK_MAX_BLOCKS} blocks`;
  return blocks.map((b: unknown, i) => blockProblem(b, `${at}[${i}]`)).find(defined);
}

function attachmentProblem(attachment: unknown, at: string): string | undefined {
  if (!isObject(attachment)) return `${at} must be an object`;
  if (!optional(attachment.color, (c) => isString(c) && SLACK_COLOR.test(c))) return `${at}.color must be good, warning, danger or #RRGGBB`;
  return blocksProblem(attachment.blocks, `${at}.blocks`);
}

function attachmentsProblem(attachments: unknown): string | undefined {
  if (attachments === undefined) return undefined;
  if (!Array.isArray(attachments) || attachments.length > SLACK_MAX_ATTACHMENTS) return `attachments must be an array of at most ${SLACK_MAX_ATTACHMENTS}`;
  return attachments.map((a: unknown, i) => attachmentProblem(a, `attachments[${i}]`)).find(defined);
}

// Error names are the Web API's; the webhook reports the attachment case as invalid_payload.
function slackContentProblem(body: Json, textRequired: boolean): SlackProblem | undefined {
  const { text: message, blocks, attachments } = body;
  if (textRequired && !nonEmpty(message)) return { error: 'no_text', detail: "'text' is required (it is the notification and fallback text)" };
  if (!optional(message, isString)) return { error: 'invalid_arguments', detail: "'text' must be a string" };
  if (message === undefined && blocks === undefined && attachments === undefined)
    return { error: 'no_text', detail: 'one of text, blocks or attachments is required' };
  const blockProblemText = blocksProblem(blocks);
  if (blockProblemText) return { error: 'invalid_blocks', detail: blockProblemText };
  const attachmentProblemText = attachmentsProblem(attachments);
  return attachmentProblemText ? { error: 'invalid_attachments', detail: attachmentProblemText } : undefined;
}

function slackWebhook(): Route {
  return {
    vendor: 'slack-webhook',
    matches: (method, path) => method === 'POST' && path.startsWith('/services/'),
    check: (req) => {
      if (req.mediaType !== 'application/json' || !isObject(req.body)) {
        return reject('invalid_payload: the body must be a JSON object sent as application/json', text(400, 'invalid_payload'));
      }
      const problem = slackContentProblem(req.body, true);
      if (!problem) return { success: () => text(200, 'ok') };
      const error = problem.error === 'invalid_attachments' ? 'invalid_payload' : problem.error;
      return reject(`${error}: ${problem.detail}`, text(400, error));
    },
  };
}

// Slack reports every Web API error as HTTP 200 with ok:false.
function slackReject(error: string, detail: string): Verdict {
  return reject(`${error}: ${detail}`, json(200, { ok: false, error, response_metadata: { messages: [`[ERROR] ${detail}`] } }));
}

function slackOk(req: Incoming, fields: Json): Reply {
  // Slack answers a JSON post without a charset with this warning (and still succeeds).
  const warning = /charset=/i.test(String(req.headers['content-type']))
    ? {}
    : { warning: 'missing_charset', response_metadata: { warnings: ['missing_charset'] } };
  return json(200, { ok: true, ...fields, ...warning });
}

function slackEnvelopeProblem(req: Incoming, options: FakeVendorsOptions): SlackProblem | undefined {
  const auth = req.headers.authorization;
  if (auth === undefined) return { error: 'not_authed', detail: 'no Authorization header' };
  const token = /^Bearer (xoxb-\S+)$/.exec(auth)?.[1];
  if (token === undefined || (options.slackBotToken !== undefined && token !== options.slackBotToken)) {
    return { error: 'invalid_auth', detail: 'Authorization must be Bearer <the configured xoxb- bot token>' };
  }
  // Slack also takes form posts, but our publisher must send JSON (external-formats.md 5.2).
  if (req.mediaType !== 'application/json') return { error: 'invalid_post_type', detail: `Content-Type ${req.mediaType || '(none)'} is not application/json` };
  if (!req.json) return { error: 'invalid_json', detail: 'the body is not valid JSON' };
  return isObject(req.body) ? undefined : { error: 'json_not_object', detail: 'the body is not a JSON object' };
}

// A channel name resolves to one fixed ID, as Slack answers with the ID whatever the caller passed.
const channelId = (channel: string): string => (SLACK_CHANNEL_ID.test(channel) ? channel : SLACK_DEFAULT_CHANNEL);

function nextTs(state: State): string {
  state.tsCounter += 100;
  const seconds = 1_732_250_000 + Math.floor(state.tsCounter / 1_000_000);
  return `${seconds}.${String(state.tsCounter % 1_000_000).padStart(6, '0')}`;
}

function postMessage(state: State, req: Incoming, channel: string): Reply {
  const body = req.body as Json;
  const ts = nextTs(state);
  const thread = isString(body.thread_ts) ? { thread_ts: body.thread_ts } : {};
  state.slack.set(ts, { channel, text: body.text as string, ...thread, updated: 0 });
  const message = { type: 'message', ...SLACK_BOT, text: body.text, ts, ...thread, blocks: body.blocks, attachments: body.attachments };
  return slackOk(req, { channel, ts, message });
}

function chatPostMessage(state: State, req: Incoming): Verdict {
  const body = req.body as Json;
  if (!nonEmpty(body.channel)) return slackReject('channel_not_found', "'channel' is required");
  const content = slackContentProblem(body, true);
  if (content) return slackReject(content.error, content.detail);
  const channel = channelId(body.channel);
  const thread = body.thread_ts;
  if (thread !== undefined && (!isString(thread) || state.slack.get(thread)?.channel !== channel)) {
    return slackReject('thread_not_found', `thread_ts ${JSON.stringify(thread)} is not a message in ${channel}`);
  }
  return { success: () => postMessage(state, req, channel) };
}

function chatUpdate(state: State, req: Incoming): Verdict {
  const body = req.body as Json;
  if (!nonEmpty(body.channel)) return slackReject('channel_not_found', "'channel' is required");
  const message = isString(body.ts) ? state.slack.get(body.ts) : undefined;
  if (message?.channel !== body.channel) return slackReject('message_not_found', `no message ${String(body.ts)} in channel ${body.channel}`);
  const content = slackContentProblem(body, false);
  if (content) return slackReject(content.error, content.detail);
  return {
    success: () => {
      if (isString(body.text)) message.text = body.text;
      message.updated += 1;
      return slackOk(req, { channel: message.channel, ts: body.ts, text: message.text, message: { ...SLACK_BOT, text: message.text, blocks: body.blocks } });
    },
  };
}

function slackApi(state: State): Route {
  return {
    vendor: 'slack-api',
    matches: (method, path) => method === 'POST' && ['/api/chat.postMessage', '/api/chat.update'].includes(path),
    check: (req) => {
      const problem = slackEnvelopeProblem(req, state.options);
      if (problem) return slackReject(problem.error, problem.detail);
      return req.path === '/api/chat.update' ? chatUpdate(state, req) : chatPostMessage(state, req);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rootly alerts API (JSON:API): https://docs.rootly.com/api-reference/recipes (post an alert) and the
// generated SDK, https://github.com/rootlyhq/rootly-python/blob/main/rootly_sdk/models/new_alert_data_attributes.py

const JSONAPI = 'application/vnd.api+json';
// The `source` enum of Rootly's generated SDK:
// https://github.com/rootlyhq/rootly-python/blob/main/rootly_sdk/models/new_alert_data_attributes_source.py
const ROOTLY_SOURCES = [
  'alertmanager',
  'api',
  'app_dynamics',
  'app_optics',
  'asana',
  'aws_sns',
  'azure',
  'bug_snag',
  'catchpoint',
  'checkly',
  'chronosphere',
  'clickup',
  'cloud_watch',
  'datadog',
  'dynatrace',
  'email',
  'generic_webhook',
  'gitlab',
  'google_cloud',
  'grafana',
  'heartbeat',
  'honeycomb',
  'jira',
  'linear',
  'live_call_routing',
  'manual',
  'mobile',
  'monte_carlo',
  'nagios',
  'new_relic',
  'nobl9',
  'opsgenie',
  'pagerduty',
  'pagertree',
  'prtg',
  'rollbar',
  'rootly',
  'sentry',
  'service_now',
  'slack',
  'splunk',
  'victorops',
  'web',
  'workflow',
  'zendesk',
];
const ROOTLY_TITLES: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity' };

interface AttributeRule {
  test: (v: unknown) => boolean;
  must: string;
}

const nullableString: AttributeRule = { test: (v) => v === null || isString(v), must: 'must be a string or null' };
const nullableTime: AttributeRule = { test: (v) => v === null || isIso8601(v), must: 'must be an ISO 8601 date-time or null' };
const stringArray: AttributeRule = { test: (v) => Array.isArray(v) && v.every(isString), must: 'must be an array of strings' };
const isRootlyLabel = (l: unknown): boolean => isObject(l) && nonEmpty(l.key) && ['string', 'number', 'boolean'].includes(typeof l.value);

// Every attribute of NewAlertDataAttributes in the SDK; anything else is most likely a typo that a
// lenient server would drop without a word.
const ROOTLY_ATTRIBUTES = new Map<string, AttributeRule>([
  ['source', { test: (v) => ROOTLY_SOURCES.includes(v as string), must: "must be one of Rootly's alert sources (alertmanager, api, generic_webhook, ...)" }],
  ['summary', { test: nonEmpty, must: "can't be blank" }],
  ['description', nullableString],
  ['status', { test: (v) => v === 'open' || v === 'triggered', must: 'must be open or triggered' }],
  ['noise', { test: (v) => v === 'noise' || v === 'not_noise', must: 'must be noise or not_noise' }],
  ['started_at', nullableTime],
  ['ended_at', nullableTime],
  ['external_id', nullableString],
  ['external_url', { test: (v) => v === null || (isString(v) && URL.canParse(v)), must: 'must be an absolute URL or null' }],
  ['deduplication_key', nullableString],
  ['alert_urgency_id', nullableString],
  [
    'notification_target_type',
    { test: (v) => ['Group', 'Service', 'EscalationPolicy', 'User'].includes(v as string), must: 'must be Group, Service, EscalationPolicy or User' },
  ],
  ['notification_target_id', nullableString],
  ['service_ids', stringArray],
  ['group_ids', stringArray],
  ['environment_ids', stringArray],
  ['labels', { test: (v) => Array.isArray(v) && v.every(isRootlyLabel), must: 'must be an array of {key, value} with a string, number or boolean value' }],
  ['data', { test: (v) => v === null || isObject(v), must: 'must be an object or null' }],
  ['alert_field_values_attributes', { test: (v) => Array.isArray(v) && v.every(isObject), must: 'must be an array of objects' }],
]);
const ROOTLY_RESOLVE_ATTRIBUTES = new Map<string, AttributeRule>([
  ['resolution_message', nullableString],
  ['resolve_related_incidents', { test: (v) => typeof v === 'boolean', must: 'must be a boolean' }],
]);
const ROOTLY_RESOLVE = /^\/v1\/alerts\/([^/]+)\/resolve$/;

interface JsonApiProblem {
  status: number;
  detail: string;
  pointer?: string;
}

function rootlyReject(p: JsonApiProblem): Verdict {
  const error = {
    status: String(p.status),
    title: ROOTLY_TITLES[p.status],
    detail: p.detail,
    ...(p.pointer !== undefined && { source: { pointer: p.pointer } }),
  };
  return reject(`${p.status} ${p.pointer ?? ''} ${p.detail}`.replace(/ +/g, ' '), json(p.status, { errors: [error] }, { 'content-type': JSONAPI }));
}

function rootlyAuthProblem(req: Incoming, options: FakeVendorsOptions): JsonApiProblem | undefined {
  const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (key === undefined) return { status: 401, detail: 'Authorization must be Bearer <API key>' };
  return options.rootlyApiKey === undefined || key === options.rootlyApiKey ? undefined : { status: 401, detail: 'the API key is not the configured one' };
}

function rootlyDocumentProblem(req: Incoming, attributesRequired: boolean): JsonApiProblem | undefined {
  if (req.mediaType !== JSONAPI) return { status: 415, detail: `Content-Type must be ${JSONAPI}, not ${req.mediaType || '(none)'}` };
  if (!isObject(req.body)) return { status: 422, pointer: '', detail: 'the body must be a JSON:API document' };
  const { data } = req.body;
  if (!isObject(data)) return { status: 422, pointer: '/data', detail: 'data must be an object' };
  if (data.type !== 'alerts') return { status: 422, pointer: '/data/type', detail: "type must be 'alerts'" };
  if (attributesRequired || data.attributes !== undefined) {
    return isObject(data.attributes) ? undefined : { status: 422, pointer: '/data/attributes', detail: 'attributes must be an object' };
  }
  return undefined;
}

function attributesProblem(attributes: Json, rules: Map<string, AttributeRule>, required: string[]): JsonApiProblem | undefined {
  const missing = required.find((k) => attributes[k] === undefined);
  if (missing) return { status: 422, pointer: `/data/attributes/${missing}`, detail: `${missing} can't be blank` };
  for (const [key, value] of Object.entries(attributes)) {
    const rule = rules.get(key);
    if (!rule || !rule.test(value))
      return { status: 422, pointer: `/data/attributes/${key}`, detail: `${key} ${rule?.must ?? 'is not a permitted attribute'}` };
  }
  return undefined;
}

const attributesOf = (req: Incoming): Json => ((req.body as Json).data as Json).attributes as Json;

function rootlyCreate(state: State, req: Incoming): Verdict {
  const problem = rootlyDocumentProblem(req, true) ?? attributesProblem(attributesOf(req), ROOTLY_ATTRIBUTES, ['source', 'summary']);
  if (problem) return rootlyReject(problem);
  const attributes = { ...attributesOf(req) };
  return {
    success: () => {
      const id = randomUUID();
      const now = new Date().toISOString();
      state.rootly.set(id, { attributes, resolved: false });
      const shown = { ...attributes, status: attributes.status ?? 'triggered', created_at: now, updated_at: now };
      return json(201, { data: { id, type: 'alerts', attributes: shown } }, { 'content-type': JSONAPI });
    },
  };
}

function rootlyResolve(state: State, req: Incoming, id: string): Verdict {
  const alert = state.rootly.get(id);
  if (!alert) return rootlyReject({ status: 404, detail: `no alert with id ${id}` });
  // The resolve body is optional; when one is sent it must be a proper JSON:API document.
  const problem =
    req.rawBody.trim() === '' ? undefined : (rootlyDocumentProblem(req, false) ?? attributesProblem(attributesOf(req) ?? {}, ROOTLY_RESOLVE_ATTRIBUTES, []));
  if (problem) return rootlyReject(problem);
  return {
    success: () => {
      alert.resolved = true;
      const now = new Date().toISOString();
      const shown = { ...alert.attributes, status: 'resolved', ended_at: alert.attributes.ended_at ?? now, updated_at: now };
      return json(200, { data: { id, type: 'alerts', attributes: shown } }, { 'content-type': JSONAPI });
    },
  };
}

function rootly(state: State): Route {
  return {
    vendor: 'rootly',
    matches: (method, path) => method === 'POST' && (path === '/v1/alerts' || ROOTLY_RESOLVE.test(path)),
    check: (req) => {
      const auth = rootlyAuthProblem(req, state.options);
      if (auth) return rootlyReject(auth);
      const id = ROOTLY_RESOLVE.exec(req.path)?.[1];
      return id === undefined ? rootlyCreate(state, req) : rootlyResolve(state, req, decodeURIComponent(id));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Generic webhook: an Alertmanager v4 receiver (external-formats.md 1.2, 1.3 and 7).

const STATUSES = ['firing', 'resolved'];
const FINGERPRINT = /^[0-9a-f]{16}$/;
// The legacy contract of the classification annotations (external-formats.md section 7).
const LLM_ANNOTATIONS = new Map<string, AttributeRule>([
  ['llm_severity', { test: (v) => ['critical', 'warning', 'info', 'noise'].includes(v as string), must: 'be critical, warning, info or noise' }],
  ['llm_confidence', { test: (v) => isString(v) && /^(0(\.\d+)?|1(\.0+)?)$/.test(v), must: 'be a decimal string from 0 to 1' }],
  ['llm_reasoning', { test: (v) => isString(v) && chars(v) <= 500, must: 'be at most 500 characters' }],
]);

interface V4Alert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function annotationsProblem(annotations: unknown, at: string): string | undefined {
  if (!isObject(annotations)) return `${at} must be an object`;
  for (const [key, value] of Object.entries(annotations)) {
    if (!isString(value)) return `${at}.${key} must be a string, not ${typeof value}`;
    if (!key.startsWith('llm_')) continue;
    // Unclassified alerts carry no llm_* annotations at all, never empty ones.
    if (value.trim() === '') return `${at}.${key} must not be empty`;
    const rule = LLM_ANNOTATIONS.get(key);
    if (rule && !rule.test(value)) return `${at}.${key} must ${rule.must}`;
  }
  return undefined;
}

function timesProblem(alert: Json, at: string): string | undefined {
  const { startsAt, endsAt } = alert;
  if (!isRfc3339(startsAt) || isZeroTime(startsAt)) return `${at}.startsAt must be an RFC 3339 date-time with an offset`;
  if (!isRfc3339(endsAt)) return `${at}.endsAt must be an RFC 3339 date-time (${ZERO_TIME} while firing)`;
  if (isZeroTime(endsAt)) return alert.status === 'resolved' ? `${at}.endsAt must be set on a resolved alert` : undefined;
  return timeOf(endsAt) < timeOf(startsAt) ? `${at}.endsAt is before startsAt` : undefined;
}

function v4AlertProblem(alert: unknown, at: string): string | undefined {
  if (!isObject(alert)) return `${at} must be an object`;
  if (!STATUSES.includes(alert.status as string)) return `${at}.status must be firing or resolved`;
  const problem = labelSetProblem(alert.labels, `${at}.labels`) ?? annotationsProblem(alert.annotations, `${at}.annotations`) ?? timesProblem(alert, at);
  if (problem) return problem;
  if (!isString(alert.generatorURL)) return `${at}.generatorURL must be a string`;
  return isString(alert.fingerprint) && FINGERPRINT.test(alert.fingerprint) ? undefined : `${at}.fingerprint must be 16 lowercase hex digits`;
}

function unshared(alerts: V4Alert[], key: 'labels' | 'annotations', common: Record<string, string>): string | undefined {
  return Object.entries(common).find(([name, value]) => alerts.some((a) => !Object.hasOwn(a[key], name) || a[key][name] !== value))?.[0];
}

function consistencyProblem(body: Json, alerts: V4Alert[]): string | undefined {
  const expected = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  if (body.status !== expected) return `status must be ${expected}: firing if any alert is firing, else resolved`;
  const label = unshared(alerts, 'labels', body.commonLabels as Record<string, string>);
  if (label !== undefined) return `commonLabels.${label} is not shared by every alert`;
  const annotation = unshared(alerts, 'annotations', body.commonAnnotations as Record<string, string>);
  return annotation === undefined ? undefined : `commonAnnotations.${annotation} is not shared by every alert`;
}

function envelopeProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body must be an Alertmanager v4 JSON object';
  if (body.version !== '4') return 'version must be the string "4"';
  if (!STATUSES.includes(body.status as string)) return 'status must be firing or resolved';
  const notString = ['receiver', 'groupKey', 'externalURL'].find((k) => !isString(body[k]));
  if (notString) return `${notString} must be a string`;
  if (!Number.isInteger(body.truncatedAlerts) || (body.truncatedAlerts as number) < 0) return 'truncatedAlerts must be an integer >= 0';
  const notMap = ['groupLabels', 'commonLabels', 'commonAnnotations'].find((k) => !isStringMap(body[k]));
  if (notMap) return `${notMap} must be an object of strings`;
  if (!optional(body.routeLabels, isStringMap) || !optional(body.notification_reason, isString))
    return 'routeLabels must be an object of strings and notification_reason a string';
  const { alerts } = body;
  if (!Array.isArray(alerts) || alerts.length === 0) return 'alerts must be a non-empty array';
  return alerts.map((a: unknown, i) => v4AlertProblem(a, `alerts[${i}]`)).find(defined) ?? consistencyProblem(body, alerts as V4Alert[]);
}

function webhook(state: State): Route {
  return {
    vendor: 'webhook',
    matches: (method, path) => method === 'POST' && (path === '/hook' || path.startsWith('/hook/')),
    check: (req) => {
      const bearer = state.options.webhookBearer;
      if (bearer !== undefined && req.headers.authorization !== `Bearer ${bearer}`) {
        return reject('Authorization must be Bearer <the configured token>', json(401, { error: 'unauthorized' }));
      }
      if (req.mediaType !== 'application/json')
        return reject(`Content-Type must be application/json, not ${req.mediaType || '(none)'}`, json(415, { error: 'unsupported media type' }));
      const problem = req.json ? envelopeProblem(req.body) : 'the body is not valid JSON';
      return problem ? reject(problem, json(400, { error: problem })) : { success: () => json(200, {}) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Alertmanager POST /api/v2/alerts:
// https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml (postableAlerts)

function postableAlertProblem(alert: unknown, at: string): string | undefined {
  if (!isObject(alert)) return `${at} must be an object`;
  const labels = labelSetProblem(alert.labels, `${at}.labels`);
  if (labels) return labels;
  if (!optional(alert.annotations, isStringMap)) return `${at}.annotations must be an object of string values`;
  const { startsAt, endsAt } = alert;
  if (!optional(startsAt, isRfc3339) || !optional(endsAt, isRfc3339)) return `${at}.startsAt and ${at}.endsAt must be RFC 3339 date-times`;
  // Alertmanager treats a zero endsAt as unset; otherwise it rejects an end before the start.
  if (isString(startsAt) && isString(endsAt) && !isZeroTime(endsAt) && timeOf(endsAt) < timeOf(startsAt))
    return `${at}: end time must not be before start time`;
  return optional(alert.generatorURL, (u) => isString(u) && (u === '' || URL.canParse(u))) ? undefined : `${at}.generatorURL must be a URI`;
}

function alertmanager(): Route {
  return {
    vendor: 'alertmanager',
    matches: (method, path) => method === 'POST' && path === '/api/v2/alerts',
    check: (req) => {
      if (req.mediaType !== 'application/json') {
        const message = `unsupported media type "${req.mediaType}", only [application/json] are allowed`;
        return reject(message, json(415, { code: 415, message }));
      }
      const body = req.body;
      const problem = !req.json
        ? 'parsing alerts body from "" failed: the body is not valid JSON'
        : !Array.isArray(body) || body.length === 0
          ? 'the body must be a non-empty array of postable alerts'
          : body.map((a: unknown, i) => postableAlertProblem(a, `[${i}]`)).find(defined);
      return problem ? reject(problem, json(400, { code: 400, message: problem })) : { success: () => ({ status: 200, headers: {}, body: '' }) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Server

const utf8 = new TextDecoder('utf-8', { fatal: true });

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJson(rawBody: string): { body: unknown; json: boolean } {
  try {
    return { body: JSON.parse(rawBody), json: true };
  } catch {
    return { body: undefined, json: false };
  }
}

function incoming(req: IncomingMessage, raw: Buffer): Incoming {
  let rawBody: string;
  let parsed = { body: undefined as unknown, json: false };
  try {
    rawBody = utf8.decode(raw);
    parsed = parseJson(rawBody);
  } catch {
    // Invalid UTF-8 cannot be JSON; keep a lossy copy for the record.
    rawBody = raw.toString('utf8');
  }
  return {
    method: req.method ?? 'GET',
    path: new URL(req.url ?? '/', 'http://fake.invalid').pathname,
    headers: req.headers,
    mediaType: String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase(),
    rawBody,
    bytes: raw.length,
    ...parsed,
  };
}

function write(res: ServerResponse, reply: Reply): void {
  if (!res.destroyed) res.writeHead(reply.status, reply.headers).end(reply.body);
}

function respond(core: Core, vendor: Vendor, res: ServerResponse, success: () => Reply): void {
  const next = core.scripts.get(vendor)?.shift();
  if (next === undefined) return write(res, success());
  if ('hold' in next) return void core.held.push({ res, success });
  write(res, { status: next.status, headers: next.headers ?? {}, body: next.body ?? '' });
}

async function dispatch(core: Core, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const msg = incoming(req, await readBody(req));
  const route = core.routes.find((r) => r.matches(msg.method, msg.path));
  if (!route) {
    core.violations.push(`no such endpoint: ${msg.method} ${msg.path}`);
    return write(res, text(404, 'not found'));
  }
  const verdict = route.check(msg);
  if ('problem' in verdict) {
    core.violations.push(`${route.vendor}: ${verdict.problem}`);
    return write(res, verdict.reply);
  }
  core.requests.push({ vendor: route.vendor, method: msg.method, path: msg.path, headers: msg.headers, body: msg.body, rawBody: msg.rawBody });
  for (const waiter of [...core.waiters]) waiter.check();
  respond(core, route.vendor, res, verdict.success);
}

function timeoutMessage(core: Core, timeoutMs: number): string {
  const seen =
    core.requests
      .slice(-10)
      .map((r) => `${r.vendor} ${r.path}`)
      .join(', ') || 'none';
  const violations = core.violations.join(' | ') || 'none';
  return `fake vendors: the condition did not hold within ${timeoutMs} ms; ${core.requests.length} request(s) (last: ${seen}); violations: ${violations}`;
}

function waitFor(core: Core, predicate: (requests: VendorRequest[]) => boolean, timeoutMs: number): Promise<VendorRequest[]> {
  return new Promise((resolve, reject) => {
    if (predicate(core.requests)) return resolve([...core.requests]);
    const finish = (): void => {
      clearTimeout(timer);
      core.waiters.delete(waiter);
    };
    const waiter: Waiter = {
      check: () => {
        try {
          if (!predicate(core.requests)) return;
          finish();
          resolve([...core.requests]);
        } catch (err) {
          finish();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      },
      cancel: (reason) => {
        finish();
        reject(new Error(reason));
      },
    };
    const timer = setTimeout(() => waiter.cancel(timeoutMessage(core, timeoutMs)), timeoutMs);
    core.waiters.add(waiter);
  });
}

/** Starts the fake vendors on a free loopback port. */
export async function startFakeVendors(options: FakeVendorsOptions = {}): Promise<FakeVendors> {
  const state: State = { options, slack: new Map(), rootly: new Map(), tsCounter: 0 };
  const core: Core = {
    routes: [pagerduty(state), slackWebhook(), slackApi(state), rootly(state), webhook(state), alertmanager()],
    requests: [],
    violations: [],
    scripts: new Map(),
    held: [],
    waiters: new Set(),
  };
  const server: Server = createServer((req, res) => void dispatch(core, req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests: core.requests,
    violations: core.violations,
    script: (vendor, ...replies) => void core.scripts.set(vendor, [...(core.scripts.get(vendor) ?? []), ...replies]),
    release: () => core.held.splice(0).forEach((h) => write(h.res, h.success())),
    waitFor: (predicate, timeoutMs = 10_000) => waitFor(core, predicate, timeoutMs),
    slackMessages: () => state.slack,
    rootlyAlerts: () => state.rootly,
    close: () =>
      new Promise<void>((resolve) => {
        for (const waiter of [...core.waiters]) waiter.cancel('fake vendors: closed while waiting');
        core.held.length = 0;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
