// Liquid rendering for notification texts. Variables are plain strings from the catalogue, so templates can
// only branch and format; limits keep a merchant's template from taking the worker's time or memory.
import { Liquid } from 'liquidjs';
import type { Template } from 'liquidjs';
import { invalidField } from '../errors.js';

const limits = { parseLimit: 20_000, renderLimit: 200, memoryLimit: 1_000_000 };
const lenient = new Liquid({ strictFilters: true, strictVariables: false, ownPropertyOnly: true, ...limits });
const strict = new Liquid({ strictFilters: true, strictVariables: true, ownPropertyOnly: true, ...limits });

export const MAX_TEMPLATE_LENGTH = 4_000;

const parsed = new Map<string, Template[]>();
const PARSED_CACHE_SIZE = 1_000;

function parse(source: string): Template[] {
  let t = parsed.get(source);
  if (!t) {
    t = lenient.parse(source);
    if (parsed.size >= PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
    parsed.set(source, t);
  }
  return t;
}

/** Renders a template; variables it names but the event cannot fill render as empty. */
export function renderLiquid(source: string, variables: Record<string, string>): string {
  return tidy(lenient.renderSync(parse(source), variables) as string);
}

/**
 * Checks a merchant's template: it must parse, use known filters, and name only variables of the catalogue
 * (checked by rendering it over every variable's sample). Throws a 400 naming the field.
 */
export function validateLiquid(field: string, source: string, samples: Record<string, string>): string {
  if (source.trim() === '') throw invalidField(field, 'must not be empty');
  if (source.length > MAX_TEMPLATE_LENGTH) throw invalidField(field, `must be at most ${MAX_TEMPLATE_LENGTH} characters`);
  try {
    return tidy(strict.parseAndRenderSync(source, samples) as string);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw invalidField(field, `is not a valid template: ${message.replace(/undefined variable: /, 'unknown variable ')}; see GET /v1/notification-variables`);
  }
}

/** Collapses the blank runs that optional sections leave behind. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/ {2,}/g, ' ')
    .trim();
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The HTML alternative of an e-mail: paragraphs of the escaped text, with links made clickable. */
export function textToHtml(text: string): string {
  const paragraphs = text.split(/\n{2,}/).map((p) => escapeHtml(p).replace(/\n/g, '<br>').replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`));
  return `<!doctype html><html><body>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`;
}
