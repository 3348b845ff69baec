/** Writes docs/errors.md from the error registries (npm run docs:errors). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorsDocPath, renderErrorsDoc } from '../src/contracts/errors-doc.js';

const target = fileURLToPath(new URL(`../../../${errorsDocPath}`, import.meta.url));
writeFileSync(target, renderErrorsDoc());
process.stdout.write(`wrote ${errorsDocPath}\n`);
