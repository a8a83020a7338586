import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freshDataDirTemplate } from './pglite-template.ts';

describe('freshDataDirTemplate', () => {
  const root = mkdtempSync(join(tmpdir(), 'pgtpl-'));
  const template = pathToFileURL(join(root, 'template.tar.gz'));
  writeFileSync(template, 'tar');

  it('gives the template for a directory that does not exist or was never initialised', async () => {
    expect(await freshDataDirTemplate(join(root, 'missing'), template)?.text()).toBe('tar');
    mkdirSync(join(root, 'empty'));
    expect(await freshDataDirTemplate(join(root, 'empty'), template)?.text()).toBe('tar');
  });

  it('leaves an initialised directory, an in-memory database and a build without a template alone', () => {
    mkdirSync(join(root, 'used'));
    writeFileSync(join(root, 'used', 'PG_VERSION'), '17');
    expect(freshDataDirTemplate(join(root, 'used'), template)).toBeUndefined();
    expect(freshDataDirTemplate(undefined, template)).toBeUndefined();
    expect(freshDataDirTemplate(join(root, 'empty'), pathToFileURL(join(root, 'none.tar.gz')))).toBeUndefined();
  });
});
