/** README's metrics table is the registry's: every metric, with its type and labels, and none it does not have. */
import { describe, expect, it } from 'vitest';
import { createDriftwatchMetrics } from '../../../engine/metrics/driftwatch-metrics.js';
import { readmeTable, unquote } from '../../helpers/readme-tables.js';

describe('README metrics table', () => {
  it('lists every metric the engine registers, with its type and labels', () => {
    const { registry } = createDriftwatchMetrics();
    const declared = registry
      .metrics()
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => {
        const [, , name, type] = l.split(' ');
        return [name, type, registry.get(name)!.labelNames.join(', ')];
      });
    const listed = readmeTable('metric').map(([name, type, labels]) => [unquote(name), type, labels.replace(/`/g, '')]);
    expect(listed).toEqual(declared);
  });
});
