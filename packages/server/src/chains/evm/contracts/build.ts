/** `npm run -w packages/server build:contracts`: recompiles the demo contracts and writes their committed artifacts. */
import { writeFileSync } from 'node:fs';
import { compileDemoUsdt, contractsDir, renderArtifact } from './compile.js';

const started = Date.now();
const compiled = await compileDemoUsdt();
const target = new URL('DemoUSDT.artifact.ts', contractsDir);
writeFileSync(target, renderArtifact(compiled));
writeFileSync(new URL('DemoUSDT.json', contractsDir), JSON.stringify(compiled, null, 2) + '\n');
console.log(`DemoUSDT: ${(compiled.bytecode.length - 2) / 2} bytes of init code, solc ${compiled.solcVersion}, ${Date.now() - started} ms → ${target.pathname}`);
