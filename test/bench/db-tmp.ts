import pino from 'pino';
import { openPostgres } from '../../src/store/pg.ts';
import { recordBatch } from '../../src/store/record.ts';
import { createWebhookParser } from '../../src/ingest/webhook.ts';
import { webhookBody } from './payloads.ts';
const db = openPostgres({ url: 'postgres://postgres@127.0.0.1/benchp', poolSize: Number(process.argv[2] ?? 10), connectTimeoutMs: 5000, statementTimeoutMs: 10000, logger: pino() });
const parse = createWebhookParser({ maxAlerts: 1000, maxDepth: 32, maxLabelValueBytes: 65536 });
let seq = 50_000_000 + Math.floor(Math.random() * 1e7) * 10; let done = 0;
const end = Date.now() + 4000;
const mode = process.argv[3] ?? 'record';
async function worker() { while (Date.now() < end) { const b = parse(Buffer.from(webhookBody(seq++, 1)), { source: 'webhook' }); if (mode === 'record') await recordBatch(db, b); else await db.query('SELECT 1'); done++; } }
await Promise.all(Array.from({ length: 50 }, worker));
console.log(mode, 'per second', done / 4);
await db.close();
