/** A response body read up to a bound. */
export interface LimitedBody {
  /** The body, cut to `bytesMax` bytes when it was longer. */
  text: string;
  /** The body was longer than `bytesMax` (the rest was not read). */
  overLimit: boolean;
}

/**
 * Reads at most `bytesMax` bytes of a response body (UTF-8) and drops the rest, so a peer
 * answering with an endless body cannot fill our memory. The stream is always released.
 * Callers decide what a longer body means: refused whole (a confirmation reply, a screening
 * answer) or read as its prefix (a notification answer compared with SUCCESS).
 */
export async function readLimited(response: Response, bytesMax: number): Promise<LimitedBody> {
  if (!response.body) return { text: '', overLimit: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let overLimit = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      chunks.push(value);
      if (size > bytesMax) {
        overLimit = true;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { text: Buffer.concat(chunks).subarray(0, bytesMax).toString('utf8'), overLimit };
}
