// One formatter for every amount the console shows. The API gives money either as an amount string with a
// separate currency (orders) or as {amount, currency} (store order history); both end up here.
export type MoneyLike = string | number | { amount: string | number; currency?: string | null } | null | undefined;

export function formatMoney(value: MoneyLike, currency?: string | null): string {
  if (value === null || value === undefined || value === '') return '';
  let amount: string | number;
  let code = currency ?? null;
  if (typeof value === 'object') {
    amount = value.amount;
    code = value.currency ?? code;
  } else amount = value;
  const n = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(n)) return code ? `${String(amount)} ${code}` : String(amount);
  if (code && /^[A-Z]{3}$/.test(code)) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: code }).format(n);
    } catch {
      // An unknown currency code: plain number and code below.
    }
  }
  const plain = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);
  return code ? `${plain} ${code}` : plain;
}
