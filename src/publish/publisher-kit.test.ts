// The kit's log-line check itself: a publisher that prints a secret through any channel a log
// line could take (console, stdout/stderr, a pino logger on its default destination) is caught,
// and the real publisher prints nothing the check objects to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundRequest, Publisher } from '../core/publishing.ts';
import { Secret } from '../core/secret.ts';
import { createLogger } from '../observability/logger.ts';
import { echoUrl, KIT_ALERTS, kitSend, type KitServer, kitTarget, printedDuring, SECRET, secretsIn, startKitServer } from '../../test/helpers/publisher-kit.ts';
import { webhookPublisher } from './webhook.ts';

const target = (url: string): ReturnType<typeof kitTarget> => kitTarget({ type: 'webhook', url: new Secret(echoUrl(url)) });

/** The webhook publisher with one line printed before each send. */
function leaky(print: (p: OutboundRequest, url: string) => void): Publisher {
  return {
    ...webhookPublisher,
    send(payload, ctx) {
      print(payload as OutboundRequest, ctx.target.url!.reveal());
      return webhookPublisher.send(payload as OutboundRequest, ctx);
    },
  };
}

const LEAKS: [string, Publisher][] = [
  ['console.info of the URL', leaky((_p, url) => console.info('sending to', url))],
  ['console.error of the headers', leaky((p) => console.error({ headers: p.headers }))],
  ['process.stderr of the token', leaky((_p, url) => process.stderr.write(`token=${new URL(url).searchParams.get('token')}\n`))],
  ['process.stdout of the bearer token', leaky((p) => process.stdout.write(`${p.headers.authorization}\n`))],
  ['a pino logger on its default destination', leaky((_p, url) => createLogger({ level: 'info' }).warn({ target: { url } }, 'delivering'))],
];

describe('publisher kit log-line check', () => {
  let server: KitServer;
  beforeAll(async () => {
    server = await startKitServer();
  });
  afterAll(() => server.close());

  it.each(LEAKS)('catches a publisher that prints a secret: %s', async (_what, publisher) => {
    server.reply = { status: 200 };
    const t = target(server.url);
    const { lines, outcome } = await kitSend({ publisher, target, success: { status: 200 } }, server, KIT_ALERTS['firing-classified']!, t);
    expect(outcome.status).toBe('fulfilled');
    expect(secretsIn(lines, t).length).toBeGreaterThan(0);
  });

  it('finds nothing in what the real publisher prints', async () => {
    server.reply = { status: 500, echo: true };
    const t = target(server.url);
    const { lines, outcome } = await kitSend({ publisher: webhookPublisher, target, success: { status: 200 } }, server, KIT_ALERTS['firing-classified']!, t);
    expect(outcome.status).toBe('rejected');
    expect(secretsIn(lines, t)).toEqual([]);
  });

  it('captures only while the function runs, and hands back how it ended', async () => {
    const { lines, outcome } = await printedDuring(() => {
      console.warn('inside %s', SECRET);
      throw new Error('boom');
    });
    console.info('outside');
    expect(lines).toEqual([`inside ${SECRET}`]);
    expect(outcome).toMatchObject({ status: 'rejected', reason: new Error('boom') });
  });
});
