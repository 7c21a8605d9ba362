/** The minimal alert consumer of README "Consuming alerts", as written there (its js block). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The first js block after the README's "### Consuming alerts" heading. */
export function readmeConsumer(): string {
  const readme = readFileSync(readmePath, 'utf8');
  const section = readme.slice(readme.indexOf('\n### Consuming alerts\n'));
  const code = /```js\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!code) throw new Error('README: no js block under "### Consuming alerts"');
  return code;
}
