// Every mask the hub shows (API responses, activity texts, logs) keeps at most the last 4 characters of what it
// hides, and none of the first ones; an e-mail address keeps only its domain. Short values show nothing at all.
export const MASK = '••••';

/** At most the last `keep` (≤ 4) characters, and only when they are a small part of the value. */
export function maskTail(value: string, keep = 4): string {
  const visible = Math.min(4, keep, Math.floor(value.length / 4));
  return visible > 0 ? `${MASK}${value.slice(-visible)}` : MASK;
}

/** An e-mail address: the domain only (who the mailbox belongs to is hidden). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? MASK : `•••${address.slice(at)}`;
}

/** A phone number: its last two digits, with the leading '+' when it had one. */
export function maskDigits(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6) return '•••';
  return `${value.trim().startsWith('+') ? '+' : ''}•••••${digits.slice(-2)}`;
}
