// The text of a canned reply: plain text with {{variables}} from a closed list. No template engine: a variable is
// replaced by its value in one pass (a value that looks like a variable stays as it is), and anything else in
// double braces is refused when the reply is saved.

/** The variables a canned reply may use, and what each is. */
export const CANNED_VARIABLES = {
  'customer.name': 'The customer’s name as the inbox shows it',
  'customer.first_name': 'The first word of the customer’s name',
  'order.number': 'The number of the order linked to the ticket',
  'order.url': 'The link to that order (its status page or the marketplace order)',
  'agent.name': 'The name of the agent who inserts the reply',
  'shop.name': 'The brand name customers see (the workspace’s brand)',
} as const;

export type CannedVariable = keyof typeof CANNED_VARIABLES;
export type CannedValues = Record<CannedVariable, string | null>;

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const known = (name: string): name is CannedVariable => Object.hasOwn(CANNED_VARIABLES, name);

/** What is wrong with a canned reply's text, or null: unknown variables (named), stray braces. */
export function cannedTextProblem(body: string): string | null {
  const unknown = [...new Set([...body.matchAll(TOKEN)].map((m) => m[1]!).filter((name) => !known(name)))];
  if (unknown.length) return `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{{${n}}}`).join(', ')}; the variables are ${Object.keys(CANNED_VARIABLES).map((n) => `{{${n}}}`).join(', ')}`;
  const rest = body.replace(TOKEN, '');
  if (rest.includes('{{') || rest.includes('}}')) return 'has "{{" or "}}" that is not part of a variable such as {{customer.name}}';
  return null;
}

/** The variables the text uses, in order of first use. */
export function cannedVariablesIn(body: string): CannedVariable[] {
  return [...new Set([...body.matchAll(TOKEN)].map((m) => m[1]!).filter(known))];
}

/** The text with each variable replaced by its value; variables without a value become empty and are listed. */
export function renderCanned(body: string, values: CannedValues): { text: string; missing: CannedVariable[] } {
  const missing = new Set<CannedVariable>();
  const text = body.replace(TOKEN, (whole, name: string) => {
    if (!known(name)) return whole;
    const value = values[name];
    if (value == null || value === '') {
      missing.add(name);
      return '';
    }
    return value;
  });
  return { text, missing: [...missing] };
}
