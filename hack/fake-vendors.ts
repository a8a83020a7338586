// Runs the strict local vendor fakes (Slack, PagerDuty, Rootly, webhook, Alertmanager) that the
// tests use, and writes a config.yaml with one target of each type pointing at them, so
// `make run` + one curl shows every publisher's real request. Each request is printed as it
// arrives; malformed ones are printed as violations.
import { writeFileSync } from 'node:fs';
import { startFakeVendors } from '../test/helpers/fake-vendors.ts';
import { allTargetsYaml } from '../test/helpers/publishing.ts';

const port = Number(process.env.FAKES_PORT ?? 9099);
const out = process.argv[2] ?? 'config.fakes.yaml';
const fake = await startFakeVendors({ port });
writeFileSync(out, `# Written by hack/fake-vendors.ts: every target type at the local fakes on :${port}.\n${allTargetsYaml(fake.url)}`);
process.stdout.write(`fakes listening on ${fake.url}; targets written to ${out}\n`);
process.stdout.write(`run the service with:  CONFIG_FILE=${out} make run\n`);
let seen = 0;
let violations = 0;
setInterval(() => {
  for (const r of fake.requests.slice(seen)) process.stdout.write(`${r.vendor.padEnd(13)} ${r.method} ${r.path} ${r.rawBody.slice(0, 160)}\n`);
  for (const v of fake.violations.slice(violations)) process.stdout.write(`VIOLATION ${v}\n`);
  seen = fake.requests.length;
  violations = fake.violations.length;
}, 200);
process.on('SIGINT', () => void fake.close().then(() => process.exit(0)));
