/** Another scanner moved the cursor since this one read it: its batch is rolled back. */
export class CursorMoved extends Error {
  override name = 'CursorMoved';
}
