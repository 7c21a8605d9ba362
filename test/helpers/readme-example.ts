/** SQL examples of sql/README.md, run by the tests that check what they say. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMigrationsDir } from '../../store/migrations.js';

/** The SQL example of sql/README.md whose comment line starts with `start`. */
export function readmeExample(start: string): string {
  const readme = readFileSync(join(defaultMigrationsDir(), '..', 'README.md'), 'utf8');
  return new RegExp(`^-- ${start}[\\s\\S]*?;$`, 'm').exec(readme)![0].replace(/;$/, '');
}
