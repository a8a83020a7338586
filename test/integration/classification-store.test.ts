// Classification results persist per fingerprint on both stores.
import { describe, expect, it } from 'vitest';
import type { Classification } from '../../src/core/classification.ts';
import { latestClassification, saveClassification } from '../../src/store/classification-store.ts';
import { backends } from '../helpers/backends.ts';

const llm: Classification = {
  severity: 'critical',
  confidence: 0.91,
  category: 'availability',
  reasoning: 'Every pod restarts.',
  recommendations: ['Check the last deploy', 'Read the container logs'],
  source: 'llm',
  model: 'gpt-4o-mini',
  promptVersion: 'v1',
  latencyMs: 812.4,
};

describe.each(backends())('classifications table on $name', (backend) => {
  it('keeps every result and reads the newest', async () => {
    const db = await backend.fresh();
    expect(await latestClassification(db, 'fp-c')).toBeNull();
    await saveClassification(db, 'fp-c', { ...llm, source: 'rules', model: 'rules', severity: 'warning', confidence: 0.45 });
    await saveClassification(db, 'fp-c', llm);
    const latest = await latestClassification(db, 'fp-c');
    expect(latest).toMatchObject({ ...llm, latencyMs: 812, fingerprint: 'fp-c' });
    expect(latest!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const [count] = await db.query<{ n: number }>("SELECT count(*) AS n FROM classifications WHERE fingerprint = 'fp-c'");
    expect(count!.n).toBe(2);
    await expect(saveClassification(db, 'fp-c', { ...llm, confidence: 1.5 })).rejects.toThrow();
    await db.close();
  });
});
