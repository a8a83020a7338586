// Response schemas of the event-recorder routes (POST /events/alertmanager, GET
// /history/{fingerprint}/lifecycle); they feed /api/openapi.json and the integration tests.
import { z } from 'zod';
import { RECORDER_KINDS } from '../core/recorder.ts';
import { time } from './contract.ts';
import type { Op } from './openapi.ts';

/** POST /events/alertmanager: every event is exactly one of stored, duplicate or ignored. */
export const RecorderIngestResponse = z.object({
  status: z.literal('success'),
  events: z.number().int(),
  stored: z.number().int(),
  duplicates: z.number().int().describe('already stored: a resend, or a state change the webhook reported first'),
  ignored: z.number().int().describe('kinds this version does not know, and events naming no alert'),
  state_changes: z.number().int().describe('new state changes written to the history (alertCreated, alertResolved)'),
  request_id: z.string(),
  timestamp: time,
});

/** One entry of an alert's lifecycle. */
export const LifecycleEntry = z.object({
  at: time,
  type: z.enum(['state', 'recorder']),
  kind: z.enum(['firing', 'resolved', ...RECORDER_KINDS]),
  source: z.string().nullable().describe('state changes: webhook, proxy, event-recorder'),
  instance: z.string().nullable(),
  receiver: z.string().nullable(),
  integration: z.string().nullable().describe('name[index], e.g. webhook[0]'),
  reason: z.string().nullable(),
  group_key: z.string().nullable(),
  silence_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  repeats: z.number().int().describe('consecutive identical mutes folded into this entry'),
  last_at: time,
});

/** GET /history/{fingerprint}/lifecycle. */
export const LifecycleResponse = z.object({
  fingerprint: z.string(),
  entries: z.array(LifecycleEntry),
  count: z.number().int(),
  limit: z.number().int(),
  truncated: z.boolean(),
});

/** The OpenAPI operations of these routes. */
export const RECORDER_OPS: Record<string, Record<string, Op>> = {
  '/events/alertmanager': {
    post: {
      summary:
        "Record Alertmanager's event-recorder output (webhook_outputs: one event, or a batch array): state changes join the history, the rest the alert's lifecycle; the webhook's credential and body limits",
      ok: RecorderIngestResponse,
      body: true,
    },
  },
  '/history/{fingerprint}/lifecycle': {
    get: {
      summary: "One alert's state changes and event-recorder events (grouped, notified, silenced, inhibited) in time order",
      params: [
        { name: 'fingerprint', in: 'path', description: 'alert fingerprint', required: true },
        { name: 'limit', in: 'query', description: '1..1000, default 200 (the latest entries)' },
      ],
      ok: LifecycleResponse,
    },
  },
};
