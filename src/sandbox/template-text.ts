// The simulators' own reading of provider template text, written apart from the adapters' (channels/wire.ts) so
// that a mistake in the adapters' parsing cannot be mirrored by the simulators that test them: {{1}}, {{2}}...
// (or named) placeholders, each counted once in order of first appearance.
const TEMPLATE_PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export function parsePlaceholders(data: string): string[] {
  const names = new Set<string>();
  for (const m of data.matchAll(TEMPLATE_PLACEHOLDER)) if (m[1] !== undefined) names.add(m[1]);
  return [...names];
}

/** Substitutes placeholders with values by name; unknown placeholders stay as written. */
export function renderTemplate(data: string, values: ReadonlyMap<string, string>): string {
  return data.replace(TEMPLATE_PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
}
