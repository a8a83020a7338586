import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryAlert, FormatContext, OutboundResponse, SendContext, Target, TargetType } from '../core/publishing.ts';
import { PublishError } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { KIT_ALERTS, kitTarget, runPublisherKit, SECRET } from '../../test/helpers/publisher-kit.ts';
import { createHttpSend } from './http.ts';
import { type SlackPayload, slackPublisher } from './slack.ts';

function webhookTarget(url: string): Target {
  // No credentials (that would be bot mode). The golden payloads carry this X-Kit-Token header.
  return kitTarget({
    type: 'slack',
    url: new Secret(`${url}/services/T000/B000/${SECRET}`),
    credentials: undefined,
    headers: [{ name: 'X-Kit-Token', value: new Secret(SECRET) }],
  });
}

function botTarget(url: string | undefined): Target {
  return kitTarget({ type: 'slack', url: url === undefined ? undefined : new Secret(url), options: { slack: { channel: 'C1' } } });
}

runPublisherKit({
  publisher: slackPublisher,
  target: webhookTarget,
  success: { status: 200, body: 'ok' },
});

// The kit names golden files by type; the bot mode gets its own name so both modes keep theirs.
runPublisherKit({
  publisher: { ...slackPublisher, type: 'slack-bot' as TargetType },
  target: botTarget,
  success: { status: 200, body: '{"ok":true,"channel":"C1","ts":"1.000100"}', headers: { 'content-type': 'application/json' } },
  resolveRef: 'C1:1.000100',
});

const FIRING = KIT_ALERTS['firing-classified']!;
const RESOLVED = KIT_ALERTS['resolved-classified']!;

function ctxFor(target: Target, externalRef?: string): FormatContext {
  return { target, externalRef, dashboardUrl: 'https://ah.example.invalid' };
}

/** The parts of a Block Kit block these tests read. */
interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { text: string }[];
  elements?: { text: string }[];
}

interface Message {
  text: string;
  blocks: Block[];
  attachments: { color: string; blocks: Block[] }[];
}

function messageOf(alert: DeliveryAlert): Message {
  return JSON.parse(slackPublisher.format(alert, ctxFor(webhookTarget('https://hooks.example.invalid'))).post.body) as Message;
}

const allBlocks = (m: Message): Block[] => [...m.blocks, ...m.attachments.flatMap((a) => a.blocks)];
const sectionTexts = (m: Message): string[] => allBlocks(m).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

function withEvent(patch: { alertname?: string; annotations?: Record<string, string> }): DeliveryAlert {
  const labels = patch.alertname ? { ...FIRING.event.labels, alertname: patch.alertname } : FIRING.event.labels;
  return {
    ...FIRING,
    event: { ...FIRING.event, alertname: patch.alertname ?? FIRING.event.alertname, labels, annotations: patch.annotations ?? FIRING.event.annotations },
  };
}

describe('slack format', () => {
  it('keeps the header within 150 characters', () => {
    const header = messageOf(withEvent({ alertname: 'A'.repeat(400) })).blocks[0]!;
    expect(header.type).toBe('header');
    expect(Array.from(header.text!.text).length).toBeLessThanOrEqual(150);
    expect(header.text!.text).toMatch(/…$/);
  });

  it('keeps sections within 3000 characters without cutting an entity in half', () => {
    const texts = sectionTexts(messageOf(withEvent({ annotations: { summary: 's', description: '>'.repeat(5000) } })));
    for (const text of texts) expect(Array.from(text).length).toBeLessThanOrEqual(3000);
    expect(texts[0]).toMatch(/^s\n(&gt;)+…$/);
  });

  it('escapes &, < and > in mrkdwn and in the fallback text', () => {
    const message = messageOf(withEvent({ annotations: { summary: 'p99 > 2s & <rising>' } }));
    expect(sectionTexts(message)[0]).toBe('p99 &gt; 2s &amp; &lt;rising&gt;');
    expect(message.text).toContain('p99 &gt; 2s &amp; &lt;rising&gt;');
  });

  it('colours by severity, and green when resolved', () => {
    expect(messageOf(FIRING).attachments[0]!.color).toBe('#E01E5A');
    expect(messageOf(KIT_ALERTS['firing-unclassified']!).attachments[0]!.color).toBe('#ECB22E');
    expect(messageOf(RESOLVED).attachments[0]!.color).toBe('good');
  });

  it('lists at most three recommendations and links to the source and our UI', () => {
    const message = messageOf(FIRING);
    const recommendations = sectionTexts(message).find((t) => t.startsWith('*Recommendations*'))!;
    expect(recommendations.split('\n')).toHaveLength(4);
    const context = allBlocks(message).find((b) => b.type === 'context')!;
    expect(context.elements![0]!.text).toContain('|Source>');
    expect(context.elements![0]!.text).toContain('|Alert history>');
    expect(allBlocks(message).length).toBeLessThanOrEqual(50);
  });
});

interface Seen {
  path: string;
  authorization: string | undefined;
  body: Partial<Message> & Record<string, unknown>;
}

/** A fake Slack Web API: answers each method from `answers`, records every request. */
function fakeSlack(): { start(): Promise<string>; stop(): Promise<void>; seen: Seen[]; answers: Record<string, object> } {
  const seen: Seen[] = [];
  const answers: Record<string, object> = {};
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const method = req.url!.split('/').pop()!;
      seen.push({ path: req.url!, authorization: req.headers.authorization, body: JSON.parse(raw) as Seen['body'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[method] ?? { ok: false, error: 'unknown_method' }));
    });
  });
  return {
    seen,
    answers,
    start: async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('slack bot mode against a fake Web API', () => {
  const slack = fakeSlack();
  let base = '';
  beforeAll(async () => {
    base = await slack.start();
  });
  afterAll(() => slack.stop());

  async function deliver(alert: DeliveryAlert, externalRef?: string): Promise<unknown> {
    slack.seen.length = 0;
    const target = botTarget(base);
    const payload: SlackPayload = slackPublisher.format(alert, ctxFor(target, externalRef));
    return slackPublisher.send(payload, { target, http: createHttpSend(target, { timeoutMs: 2000, userAgent: 'test' }) });
  }

  it('posts a firing alert to the channel and returns channel:ts', async () => {
    slack.answers['chat.postMessage'] = { ok: true, channel: 'C1', ts: '1.000100' };
    await expect(deliver(FIRING)).resolves.toEqual({ statusCode: 200, externalRef: 'C1:1.000100' });
    expect(slack.seen).toHaveLength(1);
    expect(slack.seen[0]).toMatchObject({ path: '/api/chat.postMessage', authorization: `Bearer ${SECRET}`, body: { channel: 'C1' } });
  });

  it('resolves by updating the root and replying in its thread', async () => {
    slack.answers['chat.update'] = { ok: true, channel: 'C1', ts: '1.000100' };
    slack.answers['chat.postMessage'] = { ok: true, channel: 'C1', ts: '2.000200' };
    await expect(deliver(RESOLVED, 'C1:1.000100')).resolves.toEqual({ statusCode: 200, externalRef: 'C1:1.000100' });
    expect(slack.seen.map((s) => s.path)).toEqual(['/api/chat.update', '/api/chat.postMessage']);
    expect(slack.seen[0]!.body).toMatchObject({ channel: 'C1', ts: '1.000100', attachments: [{ color: 'good' }] });
    expect(slack.seen[0]!.body.blocks![0]!.text!.text).toMatch(/^\[RESOLVED\]/);
    expect(slack.seen[1]!.body).toEqual({ channel: 'C1', thread_ts: '1.000100', text: `Resolved at ${RESOLVED.event.endsAt}` });
  });

  it('posts a new message when the root is gone (message_not_found)', async () => {
    slack.answers['chat.update'] = { ok: false, error: 'message_not_found' };
    slack.answers['chat.postMessage'] = { ok: true, channel: 'C1', ts: '3.000300' };
    await expect(deliver(RESOLVED, 'C1:1.000100')).resolves.toEqual({ statusCode: 200, externalRef: 'C1:3.000300' });
    expect(slack.seen.map((s) => s.path)).toEqual(['/api/chat.update', '/api/chat.postMessage']);
    expect(slack.seen[1]!.body).not.toHaveProperty('thread_ts');
    expect(slack.seen[1]!.body.channel).toBe('C1');
  });

  it('posts a new top-level message for a resolve without a stored ts', async () => {
    slack.answers['chat.postMessage'] = { ok: true, channel: 'C1', ts: '4.000400' };
    await expect(deliver(RESOLVED)).resolves.toEqual({ statusCode: 200, externalRef: 'C1:4.000400' });
    expect(slack.seen.map((s) => s.path)).toEqual(['/api/chat.postMessage']);
  });

  it('turns ok:false into a non-retryable invalid_response naming the Slack error', async () => {
    slack.answers['chat.postMessage'] = { ok: false, error: 'channel_not_found' };
    const err = (await deliver(FIRING).catch((e: unknown) => e)) as PublishError;
    expect(err).toBeInstanceOf(PublishError);
    expect({ reason: err.reason, retryable: err.retryable, statusCode: err.statusCode }).toEqual({
      reason: 'invalid_response',
      retryable: false,
      statusCode: 200,
    });
    expect(err.message).toContain('channel_not_found');
  });

  it('retries ok:false ratelimited', async () => {
    slack.answers['chat.postMessage'] = { ok: false, error: 'ratelimited' };
    const err = (await deliver(FIRING).catch((e: unknown) => e)) as PublishError;
    expect({ reason: err.reason, retryable: err.retryable }).toEqual({ reason: 'invalid_response', retryable: true });
  });

  it('fails other chat.update errors without posting', async () => {
    slack.answers['chat.update'] = { ok: false, error: 'invalid_auth' };
    const err = (await deliver(RESOLVED, 'C1:1.000100').catch((e: unknown) => e)) as PublishError;
    expect(err.reason).toBe('invalid_response');
    expect(slack.seen).toHaveLength(1);
  });
});

describe('slack webhook mode', () => {
  function ctxWith(text: string): SendContext {
    return {
      target: webhookTarget('https://hooks.example.invalid'),
      http: () => Promise.resolve<OutboundResponse>({ status: 200, headers: new Headers(), text }),
    };
  }

  it('treats a 2xx other than the text ok as an invalid response', async () => {
    const payload = slackPublisher.format(FIRING, ctxFor(webhookTarget('https://hooks.example.invalid')));
    const err = (await slackPublisher.send(payload, ctxWith('{"ok":true}')).catch((e: unknown) => e)) as PublishError;
    expect(err).toBeInstanceOf(PublishError);
    expect(err.reason).toBe('invalid_response');
    await expect(slackPublisher.send(payload, ctxWith('ok'))).resolves.toEqual({ statusCode: 200 });
  });
});

describe('slack validate', () => {
  it('names url and slack.channel', () => {
    expect(slackPublisher.validate(kitTarget({ type: 'slack', credentials: undefined }))).toEqual([expect.stringMatching(/^url: required/)]);
    expect(slackPublisher.validate(kitTarget({ type: 'slack' }))).toEqual([expect.stringMatching(/^slack\.channel: required/)]);
    expect(slackPublisher.validate(botTarget(undefined))).toEqual([]);
    expect(slackPublisher.validate(botTarget('ftp://slack.example.invalid'))).toEqual(['url: must be http or https']);
  });
});
