import { describe, it, expect } from 'vitest';
import { configReference } from '../../../config/env-config.js';
import { readmeTable, unquote } from '../../helpers/readme-tables.js';

describe('README configuration table', () => {
  const rows = readmeTable('variable').map(([env, def, ...meaning]) => ({ env: unquote(env), def, meaning: meaning.join(' | ') }));

  it('documents every option with its default', () => {
    for (const o of configReference()) {
      const row = rows.find((r) => r.env === o.env);
      expect(row, `README is missing ${o.env}`).toBeDefined();
      expect(row!.def, `README default of ${o.env}`).toBe(o.default === '' ? '*(unset)*' : `\`${o.default}\``);
    }
  });

  // README says `driftwatch --help` prints the same table: a row for an option the schema no longer has, or whose
  // meaning drifted from the schema's doc line, would tell users something the engine does not do.
  it('lists only options of the schema, each with the doc line --help prints', () => {
    const docs = new Map(configReference().map((o) => [o.env, o.doc]));
    for (const r of rows) {
      expect(docs.has(r.env), `README lists ${r.env}, which the configuration schema does not have`).toBe(true);
      expect(r.meaning, `README meaning of ${r.env}`).toBe(docs.get(r.env));
    }
    expect(rows).toHaveLength(docs.size);
  });
});
