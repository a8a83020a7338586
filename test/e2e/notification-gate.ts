// A pass-through between an Alertmanager HA pair and the service's webhook that makes "both
// Alertmanagers notify" happen by construction instead of by timing. Peers deduplicate through the
// gossiped notification log, which an Alertmanager writes only after its send returns: so the gate
// holds each notification until every expected sender's notification of the same status has
// arrived (or `holdMs` passes), then forwards them all at once and answers each sender with the
// service's own reply. It records every notification and that reply.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification that went through the gate. */
export interface GatedNotification {
  /** The sender's `externalURL` (its --web.external-url). */
  sender: string;
  status: string;
  alerts: { fingerprint: string; status: string }[];
  /** What the service answered (the sender got the same). */
  reply?: { status: number; body: string };
}

/** A running gate. */
export interface NotificationGate {
  /** Where the Alertmanagers' webhook_configs point. */
  url: string;
  notifications: GatedNotification[];
  close(): Promise<void>;
}

/** Options of {@link startNotificationGate}. */
export interface NotificationGateOptions {
  /** The service's webhook URL. */
  forwardTo: string;
  /** The senders' external URLs, read when a notification arrives (they start after the gate). */
  senders: () => readonly string[];
  /** Longest hold before a notification goes on alone (keep it under Alertmanager's 10 s notify timeout). */
  holdMs: number;
}

interface Held {
  release: () => void;
  sender: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the gate on 127.0.0.1. */
export async function startNotificationGate(options: NotificationGateOptions): Promise<NotificationGate> {
  const notifications: GatedNotification[] = [];
  const held = new Map<string, Held[]>();

  const forward = async (raw: string, record: GatedNotification, res: ServerResponse): Promise<void> => {
    const reply = await fetch(options.forwardTo, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    record.reply = { status: reply.status, body: await reply.text() };
    res.writeHead(record.reply.status, { 'content-type': 'application/json' }).end(record.reply.body);
  };

  const hold = (status: string, entry: Held): void => {
    const waiting = [...(held.get(status) ?? []), entry];
    const complete = options.senders().every((s) => waiting.some((w) => w.sender === s));
    if (!complete) {
      held.set(status, waiting);
      return;
    }
    held.delete(status);
    for (const w of waiting) w.release();
  };

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const body = JSON.parse(raw) as { externalURL: string; status: string; alerts: { fingerprint: string; status: string }[] };
      const record: GatedNotification = {
        sender: body.externalURL,
        status: body.status,
        alerts: body.alerts.map((a) => ({ fingerprint: a.fingerprint, status: a.status })),
      };
      notifications.push(record);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        clearTimeout(timer);
        forward(raw, record, res).catch((err: Error) => res.writeHead(502).end(err.message));
      };
      const timer = setTimeout(release, options.holdMs);
      hold(body.status, { release, sender: body.externalURL });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook/proxy`,
    notifications,
    close: () => {
      for (const waiting of held.values()) for (const w of waiting) w.release();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
