// Small helpers shared by the channel adapters and their simulators: narrowing untyped JSON and reading
import type { InteractiveContent } from '../../core/channels/ports.js';
// template placeholders, so every side agrees on what {{1}} / {{name}} mean.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function num(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Placeholder names in order of first appearance, each once: ["1","2"] or ["first_name", ...]. */
export function parsePlaceholders(bodyText: string | null): string[] {
  if (!bodyText) return [];
  const names: string[] = [];
  for (const m of bodyText.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Substitutes placeholders with values by name; unknown placeholders stay as written. */
export function renderTemplate(bodyText: string, values: ReadonlyMap<string, string>): string {
  return bodyText.replace(PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
}

/**
 * An interactive message as plain text, for channels without buttons (SMS, e-mail): the choices numbered so the
 * customer can answer with the number or the title, then cards and links as lines.
 */
export function interactiveAsText(content: InteractiveContent): string {
  const lines = [content.text];
  if (content.cards?.length) {
    lines.push('');
    for (const card of content.cards) lines.push(`• ${card.title} — ${card.subtitle}${card.url ? `\n  ${card.url}` : ''}`);
  }
  if (content.buttons.length) {
    lines.push('');
    content.buttons.forEach((b, i) => lines.push(`${i + 1}. ${b.title}`));
  }
  for (const link of content.links ?? []) lines.push(`${link.title}: ${link.url}`);
  return lines.join('\n');
}
