import { fire } from './load.ts';
import { webhookBody } from './payloads.ts';
let s = Number(process.argv[2]); const size = Number(process.argv[3]);
for (let i = 0; i < Number(process.argv[4] ?? 3); i++) {
  const r = await fire({ url: 'http://127.0.0.1:18090', path: '/webhook', bodies: () => webhookBody((s += size), size), connections: size === 1 ? 50 : 10, seconds: 4 });
  console.log(size, r.rps, r.p50, r.p99, r.non2xx);
}
