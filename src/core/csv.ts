// One CSV cell (RFC 4180 quoting). Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written
// with a leading apostrophe; numbers are written as they are.
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const raw = String(v);
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
