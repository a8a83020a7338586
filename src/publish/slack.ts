// Slack (external-formats.md section 5), two modes. Without credentials `url` is an incoming
// webhook: one POST, success is the plain text `ok`, and nothing can be threaded or edited. With a
// bot token the Web API posts to `slack.channel`, returns `<channel>:<ts>` as the external ref, and
// a resolve edits that root message and replies in its thread. Errors of the Web API arrive as
// HTTP 200 with `ok: false`, so every reply is checked.
import type { Severity } from '../core/classification.ts';
import type { DeliveryAlert, FormatContext, OutboundRequest, Publisher, SendContext, SendResult, Target } from '../core/publishing.ts';
import { dashboardLink, severityOf, titleOf, truncate } from './format.ts';
import { checkUrl, invalidResponse, joinUrl, targetHeaders, vendorSnippet } from './http.ts';

/** The Web API base in bot mode when the target gives no `url`. */
const DEFAULT_API_BASE = 'https://slack.com/api';

/** Header block plain text limit; https://api.slack.com/reference/block-kit/blocks */
const MAX_HEADER = 150;
/** Section text limit; https://api.slack.com/reference/block-kit/blocks */
const MAX_SECTION = 3000;
/** Section fields: at most 10, each at most 2000; https://api.slack.com/reference/block-kit/blocks */
const MAX_FIELDS = 10;
const MAX_FIELD = 2000;
/** Blocks per message; https://api.slack.com/reference/block-kit/blocks */
const MAX_BLOCKS = 50;
/** Top-level `text` is truncated beyond this; https://api.slack.com/methods/chat.postMessage */
const MAX_TEXT = 40_000;

/** How many recommendations a message lists, as every other publisher does. */
const MAX_RECOMMENDATIONS = 3;

/** The colour bar (our convention, external-formats.md 5.3). */
const COLORS: Record<Severity | 'resolved', string> = { resolved: 'good', critical: '#E01E5A', warning: '#ECB22E', info: '#36C5F0', noise: '#9E9E9E' };

/** chat.update errors after which the root is gone or frozen, so a new message is posted instead. */
const ROOT_UNUSABLE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** One Block Kit block, kept as plain JSON. */
type Block = Record<string, unknown>;

/** The three parts of a Slack message. */
interface SlackMessage {
  text: string;
  blocks: Block[];
  attachments: { color: string; blocks: Block[] }[];
}

/** A bot resolve of a known root message: edit the root, then reply under it. */
interface SlackThread {
  ref: string;
  update: OutboundRequest;
  reply: OutboundRequest;
}

/**
 * What send() does. `post` is the webhook POST, a new bot message, or the fallback when the root
 * cannot be updated; `thread` is there for a bot resolve of a known root.
 */
export interface SlackPayload {
  mode: 'webhook' | 'bot';
  post: OutboundRequest;
  thread?: SlackThread;
}

/** The fields of a Web API reply that matter here. */
interface SlackReply {
  ok?: unknown;
  error?: unknown;
  channel?: unknown;
  ts?: unknown;
}

/** Escapes the three characters mrkdwn treats as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes, then cuts to `max` without leaving half an entity before the `…`. */
function fitMrkdwn(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max).replace(/&[a-z]{0,3}…$/, '…');
}

function mrkdwnLink(url: string, label: string): string {
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label)}>`;
}

const isHttpUrl = (url: string): boolean => /^https?:\/\//i.test(url);

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: fitMrkdwn(text, MAX_SECTION) } });

function headerBlock(alert: DeliveryAlert): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(titleOf(alert), MAX_HEADER), emoji: true } };
}

/** Summary and description, without repeating one that equals the other. */
function descriptionLines(alert: DeliveryAlert): string[] {
  const { annotations } = alert.event;
  const lines = [annotations.summary, annotations.description ?? annotations.message].filter((s): s is string => Boolean(s));
  return [...new Set(lines)];
}

function fieldsBlock(alert: DeliveryAlert): Block {
  const c = alert.classification;
  const namespace = alert.event.labels.namespace ?? alert.event.namespace;
  const pairs: [string, string | undefined][] = [
    ['Severity', severityOf(alert)],
    ['Confidence', c ? `${Math.round(c.confidence * 100)}%` : undefined],
    ['Status', alert.event.status.toUpperCase()],
    ['Namespace', namespace ?? undefined],
  ];
  const fields = pairs
    .filter((p): p is [string, string] => Boolean(p[1]))
    .slice(0, MAX_FIELDS)
    .map(([name, value]) => ({ type: 'mrkdwn', text: fitMrkdwn(`*${name}*\n${value}`, MAX_FIELD) }));
  return { type: 'section', fields };
}

function classificationBlocks(alert: DeliveryAlert): Block[] {
  const c = alert.classification;
  if (!c) return [];
  const blocks: Block[] = [];
  if (c.reasoning) blocks.push(section(`*Reasoning*\n${c.reasoning}`));
  const recommendations = c.recommendations.slice(0, MAX_RECOMMENDATIONS).map((r) => `• ${r}`);
  if (recommendations.length > 0) blocks.push(section(['*Recommendations*', ...recommendations].join('\n')));
  return blocks;
}

/** Links as a context block: buttons would need an interactivity endpoint we do not have. */
function linksBlock(alert: DeliveryAlert, ctx: FormatContext): Block[] {
  const links: string[] = [];
  if (isHttpUrl(alert.event.generatorURL)) links.push(mrkdwnLink(alert.event.generatorURL, 'Source'));
  const link = dashboardLink(alert, ctx);
  if (link) links.push(mrkdwnLink(link, 'Alert history'));
  if (links.length === 0) return [];
  return [{ type: 'context', elements: [{ type: 'mrkdwn', text: links.join('  ·  ') }] }];
}

function colorOf(alert: DeliveryAlert): string {
  return COLORS[alert.event.status === 'resolved' ? 'resolved' : severityOf(alert)];
}

/** The header sits above the colour bar; everything else sits beside it. */
function message(alert: DeliveryAlert, ctx: FormatContext): SlackMessage {
  const lines = descriptionLines(alert);
  const details: Block[] = [
    ...(lines.length > 0 ? [section(lines.join('\n'))] : []),
    fieldsBlock(alert),
    ...classificationBlocks(alert),
    ...linksBlock(alert, ctx),
  ];
  const title = titleOf(alert);
  return {
    text: fitMrkdwn(lines[0] ? `${title}: ${lines[0]}` : title, MAX_TEXT),
    blocks: [headerBlock(alert)],
    attachments: [{ color: colorOf(alert), blocks: details.slice(0, MAX_BLOCKS - 1) }],
  };
}

const isBot = (target: Target): boolean => Boolean(target.credentials && !target.credentials.empty);

function headers(target: Target): Record<string, string> {
  const out: Record<string, string> = { ...targetHeaders(target), 'content-type': 'application/json; charset=utf-8' };
  if (isBot(target)) out.authorization = `Bearer ${target.credentials?.reveal() ?? ''}`;
  return out;
}

function apiRequest(target: Target, method: string, body: Record<string, unknown>): OutboundRequest {
  const base = target.url?.reveal() || DEFAULT_API_BASE;
  return { method: 'POST', url: joinUrl(base, method), headers: headers(target), body: JSON.stringify(body) };
}

/** Splits a `<channel>:<ts>` ref; undefined when there is none or it is malformed. */
function splitRef(ref: string | undefined): { channel: string; ts: string } | undefined {
  const at = ref?.indexOf(':') ?? -1;
  if (!ref || at <= 0 || at === ref.length - 1) return undefined;
  return { channel: ref.slice(0, at), ts: ref.slice(at + 1) };
}

function botPayload(alert: DeliveryAlert, ctx: FormatContext): SlackPayload {
  const { target } = ctx;
  const content = message(alert, ctx);
  const post = apiRequest(target, 'chat.postMessage', { channel: target.options.slack?.channel ?? '', ...content });
  const root = alert.event.status === 'resolved' ? splitRef(ctx.externalRef) : undefined;
  if (!root) return { mode: 'bot', post };
  const at = alert.event.endsAt ?? alert.event.receivedAt;
  return {
    mode: 'bot',
    post,
    thread: {
      ref: `${root.channel}:${root.ts}`,
      update: apiRequest(target, 'chat.update', { channel: root.channel, ts: root.ts, ...content }),
      reply: apiRequest(target, 'chat.postMessage', { channel: root.channel, thread_ts: root.ts, text: `Resolved at ${at}` }),
    },
  };
}

function parseReply(text: string): SlackReply {
  try {
    const reply = JSON.parse(text) as unknown;
    return typeof reply === 'object' && reply !== null ? reply : {};
  } catch {
    return {};
  }
}

function apiFailure(ctx: SendContext, call: { method: string; status: number; reply: SlackReply }): Error {
  const code = typeof call.reply.error === 'string' ? call.reply.error : 'no ok:true in the reply';
  return invalidResponse(ctx.target, `Slack ${call.method}: ok:false (${code})`, { statusCode: call.status, retryable: code === 'ratelimited' });
}

async function callApi(ctx: SendContext, method: string, request: OutboundRequest): Promise<{ method: string; status: number; reply: SlackReply }> {
  const response = await ctx.http(request);
  return { method, status: response.status, reply: parseReply(response.text) };
}

async function postMessage(ctx: SendContext, request: OutboundRequest): Promise<SendResult> {
  const call = await callApi(ctx, 'chat.postMessage', request);
  if (call.reply.ok !== true) throw apiFailure(ctx, call);
  const { channel, ts } = call.reply;
  // A posted message without channel or ts is still posted: report success, just without a ref.
  const externalRef = typeof channel === 'string' && typeof ts === 'string' ? `${channel}:${ts}` : undefined;
  return { statusCode: call.status, externalRef };
}

async function resolveInThread(ctx: SendContext, thread: SlackThread, fallback: OutboundRequest): Promise<SendResult> {
  const call = await callApi(ctx, 'chat.update', thread.update);
  if (call.reply.ok !== true) {
    const code = call.reply.error;
    if (typeof code === 'string' && ROOT_UNUSABLE.has(code)) return postMessage(ctx, fallback);
    throw apiFailure(ctx, call);
  }
  const reply = await postMessage(ctx, thread.reply);
  return { statusCode: reply.statusCode, externalRef: thread.ref };
}

async function postWebhook(ctx: SendContext, request: OutboundRequest): Promise<SendResult> {
  const response = await ctx.http(request);
  if (response.text.trim() !== 'ok') {
    const said = vendorSnippet(ctx.target, response.text, 100) || '(empty)';
    throw invalidResponse(ctx.target, `Slack webhook answered HTTP ${response.status} ${said} instead of ok`, { statusCode: response.status });
  }
  return { statusCode: response.status };
}

/** The Slack publisher (incoming webhook, or Web API with a bot token). */
export const slackPublisher: Publisher<SlackPayload> = {
  type: 'slack',
  defaultRatePerMinute: 60,
  defaultUrl: DEFAULT_API_BASE,
  validate(target) {
    const channel = isBot(target) && !target.options.slack?.channel ? ['slack.channel: required when credentials hold a bot token'] : [];
    return [...checkUrl(target, { required: !isBot(target), missing: 'required (the incoming-webhook URL) unless credentials hold a bot token' }), ...channel];
  },
  format(alert, ctx) {
    if (isBot(ctx.target)) return botPayload(alert, ctx);
    const post = { method: 'POST' as const, url: ctx.target.url?.reveal() ?? '', headers: headers(ctx.target), body: JSON.stringify(message(alert, ctx)) };
    return { mode: 'webhook', post };
  },
  async send(payload: SlackPayload, ctx: SendContext): Promise<SendResult> {
    if (payload.mode === 'webhook') return postWebhook(ctx, payload.post);
    if (payload.thread) return resolveInThread(ctx, payload.thread, payload.post);
    return postMessage(ctx, payload.post);
  },
};
