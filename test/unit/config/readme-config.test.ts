import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { configReference } from '../../../config/env-config.js';

describe('README configuration table', () => {
  it('documents every option with its default', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const o of configReference()) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${o.env}\` |`));
      expect(row, `README is missing ${o.env}`).toBeDefined();
      expect(row, `README default of ${o.env}`).toContain(o.default === '' ? '*(unset)*' : `\`${o.default}\``);
    }
  });
});
