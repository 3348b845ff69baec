/** The one bounded body reader behind merchant confirmations, screening answers and notification replies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readLimited } from '../src/http/read-limited.js';

/** A response whose body arrives in `chunks`; `endless` keeps sending after them. */
function responseOf(chunks: string[], options: { endless?: boolean; onCancel?: () => void } = {}): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]!));
      else if (options.endless) controller.enqueue(encoder.encode('x'.repeat(1024)));
      else controller.close();
    },
    cancel() {
      options.onCancel?.();
    },
  });
  return new Response(body);
}

describe('readLimited', () => {
  test('a body within the bound is read whole', async () => {
    assert.deepEqual(await readLimited(responseOf(['SUC', 'CESS']), 64), { text: 'SUCCESS', overLimit: false });
  });

  test('a body of exactly the bound is not over it', async () => {
    assert.deepEqual(await readLimited(responseOf(['abcd', 'efgh']), 8), { text: 'abcdefgh', overLimit: false });
  });

  test('a longer body is cut to the bound and reported over it', async () => {
    assert.deepEqual(await readLimited(responseOf(['abcd', 'efgh', 'ijkl']), 6), { text: 'abcdef', overLimit: true });
  });

  test('an endless body stops at the bound and its stream is cancelled', async () => {
    let cancelled = false;
    const result = await readLimited(responseOf([], { endless: true, onCancel: () => (cancelled = true) }), 4096);
    assert.equal(result.overLimit, true);
    assert.equal(result.text.length, 4096);
    assert.equal(cancelled, true);
  });

  test('no body reads as empty', async () => {
    assert.deepEqual(await readLimited(new Response(null, { status: 204 }), 10), { text: '', overLimit: false });
  });
});
