// Opaque page cursors: the last id of the previous page, so callers cannot depend on its form.
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (!cursor) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[a-z]+_[0-9a-z]+$/.test(id) ? id : null;
}
