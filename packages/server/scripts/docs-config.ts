/** Writes docs/configuration.md from the configuration schema (npm run docs:config). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationDoc } from '../src/config/reference.js';

const target = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
writeFileSync(target, configurationDoc());
process.stdout.write('wrote docs/configuration.md\n');
