import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_NODE_FLAGS, missingEmbeddedFlags } from './wasm-flags.ts';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const joined = EMBEDDED_NODE_FLAGS.join(' ');

describe('embedded-store Node flags', () => {
  it('names the flags a process lacks', () => {
    expect(missingEmbeddedFlags([])).toEqual([...EMBEDDED_NODE_FLAGS]);
    expect(missingEmbeddedFlags(['--no-wasm-tier-up'])).toEqual(['--no-wasm-dynamic-tiering']);
    expect(missingEmbeddedFlags(['--max-old-space-size=256', ...EMBEDDED_NODE_FLAGS])).toEqual([]);
  });

  it('every launcher passes them: the image, bin/alert-history, make run and make cli', () => {
    expect(read('Dockerfile')).toContain(`ENTRYPOINT ["node", ${EMBEDDED_NODE_FLAGS.map((f) => `"${f}"`).join(', ')}, "dist/cli.js"]`);
    expect(read('bin/alert-history')).toContain(`node" ${joined} "$root/src/cli.ts"`);
    const makefile = read('Makefile');
    expect(makefile).toContain(`EMBEDDED_NODE_FLAGS := ${joined}`);
    for (const target of ['run', 'cli']) {
      const recipe = makefile.split(`\n${target}: `)[1]?.split('\n')[1] ?? '';
      expect(recipe, `make ${target}`).toContain('node $(EMBEDDED_NODE_FLAGS) src/cli.ts');
    }
  });
});
