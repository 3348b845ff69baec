import { errorRegistry, type ErrorEntry } from '@openwaas/sdk';
import { operatorErrorRegistry, type OperatorErrorEntry } from './operator-errors.js';

/** Where the page lives, from the repository root. */
export const errorsDocPath = 'docs/errors.md';

/** A table cell: pipes escaped, so a message can never split a row. */
const cell = (text: string) => text.replace(/\|/g, '\\|');
const yesNo = (retired: boolean) => (retired ? 'yes' : 'no');

/**
 * docs/errors.md as the registries say it: every code of the merchant API and of the operator
 * API with its message, HTTP status, meaning and retired flag. `npm run docs:errors` writes it;
 * a test fails while the committed page differs.
 */
export function renderErrorsDoc(): string {
  const merchant = Object.entries(errorRegistry as Record<string, ErrorEntry>).map(
    ([name, e]) => `| ${e.code} | ${name} | ${cell(e.message)} | ${e.httpStatus} | ${e.plainHttpStatus ?? '—'} | ${cell(e.meaning)} | ${yesNo(e.retired)} |`,
  );
  const operator = Object.values(operatorErrorRegistry as Record<string, OperatorErrorEntry>).map(
    (e) => `| ${e.code} | ${cell(e.message)} | ${e.httpStatus} | ${cell(e.meaning)} | ${yesNo(e.retired)} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from the error registries by `npm run docs:errors`; edit the registries, not this page. -->',
    '',
    'Both APIs answer stable codes. A code is never reused for another meaning: a retired one stays',
    'listed (retired = yes) and is never answered again. The registries are data: the merchant API\'s',
    'is `errorRegistry` of `@openwaas/sdk` (packages/sdk/src/errors/codes.ts), the operator API\'s is',
    '`operatorErrorRegistry` (packages/server/src/contracts/operator-errors.ts).',
    '',
    '## Merchant API (WaaS v2, `/api/v2`)',
    '',
    'The code travels as the string `code` of the response envelope, with `msg` (the message below,',
    'or a more specific one naming the field). Every answer carrying a code is HTTP 200, sealed or',
    'plain: existing clients read no code from any other status (API.md §1). A code answered before',
    'the merchant is known (100005, 100015) cannot be sealed and is sent as plain JSON `{"code", "msg"}`;',
    'a code normally sealed goes plain, with the plain HTTP status shown, when it arises before a',
    'merchant is known (a body that is neither a form nor JSON: 100004, HTTP 200; a failure before the',
    'handler: 100001, HTTP 500).',
    'Beside these: an unknown path answers 404, a body over the size limit answers 413 (plain 100004),',
    'and a response that cannot be sealed answers 503 (plain 100001).',
    '',
    '| code | name | message | HTTP status | plain HTTP status | meaning | retired |',
    '|---|---|---|---|---|---|---|',
    ...merchant,
    '',
    '## Operator API (`/operator/v1`) and CLI',
    '',
    'An expected failure answers JSON `{"error": <code>, "message": …}` with the HTTP status shown;',
    'the message is usually more specific than the default below. The CLI reports the same codes.',
    'A request the HTTP layer itself refuses (a body that is not JSON, one over the size limit) answers',
    '`invalid` with the status of that refusal (400, 413, 415).',
    '',
    '| code | message | HTTP status | meaning | retired |',
    '|---|---|---|---|---|',
    ...operator,
    '',
  ].join('\n');
}
