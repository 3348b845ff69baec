/** Rewrites the role table of docs/operators.md from the operator contract and the CLI (npm run docs:operators). */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operatorsDocPath, withRoleTable } from '../src/cli/roles-doc.js';

const target = fileURLToPath(new URL(`../../../${operatorsDocPath}`, import.meta.url));
writeFileSync(target, withRoleTable(readFileSync(target, 'utf8')));
process.stdout.write(`wrote the role table of ${operatorsDocPath}\n`);
