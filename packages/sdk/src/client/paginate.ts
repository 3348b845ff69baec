import { WaasBaseError } from '../errors/base.js';

/** Fetches the records with id > maxId (one page of a `sync…List` endpoint). */
export type PageFetcher<T> = (maxId: number | string) => Promise<readonly T[] | null | undefined>;

/**
 * Walks a `sync…List` endpoint: requests the page after `startAfter`, yields its records,
 * asks again with `max_id` = the last record's id, and stops at the first empty page.
 * Nothing is requested until the first `next()`; breaking out of a `for await` stops it.
 */
export async function* paginate<T extends { id: number | string }>(
  fetchPage: PageFetcher<T>,
  startAfter: number | string = 0,
): AsyncGenerator<T, void, undefined> {
  let maxId = startAfter;
  for (;;) {
    const page = await fetchPage(maxId);
    if (page == null || page.length === 0) return;
    if (!Array.isArray(page)) throw new WaasBaseError('sync list answer is not a list', { details: `max_id ${maxId}` });
    const lastId = (page[page.length - 1] as T | null | undefined)?.id;
    // A page that does not move past max_id would be requested forever.
    if (lastId == null || !isAfter(lastId, maxId)) {
      throw new WaasBaseError('sync list did not advance', { details: `max_id ${maxId} answered a page ending at id ${String(lastId)}` });
    }
    yield* page;
    maxId = lastId;
  }
}

function isAfter(id: number | string, maxId: number | string): boolean {
  const a = Number(id);
  const b = Number(maxId);
  return Number.isFinite(a) && Number.isFinite(b) ? a > b : String(id) !== String(maxId);
}
