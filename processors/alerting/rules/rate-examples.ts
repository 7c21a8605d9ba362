/** How the rate rules' texts name the items behind a rate (rate-row.ts RateExample). */
import type { NamedPromotion } from '../../promotion-facts.js';
import type { RateExample } from './rate-row.js';

/** "name (detail, more…)", or the name alone. */
export function exampleText(x: RateExample, ...more: string[]): string {
  const details = [x.detail, ...more].filter((d): d is string => d !== undefined && d !== '');
  return details.length > 0 ? `${x.name} (${details.join(', ')})` : x.name;
}

/** A promotion as an example: named by its id, with its artifact and version. */
export function promotionExample(p: NamedPromotion, key: string, rank: number): RateExample {
  return { key, rank, name: p.promotionId, detail: p.version === undefined ? p.artifact : `${p.artifact} ${p.version}` };
}
