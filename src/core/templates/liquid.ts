// Liquid rendering for notification texts. A merchant's text is untrusted: it renders in memory with no file
// system (the tags that read other templates are refused, and the engine's file system knows no files), and
// with limits on steps (loop passes), output, memory and time, so that no text can read the installation's
// files or hold the API or worker thread for long. Variables are plain strings from the catalogue.
import { Context, Liquid, Tag, toValue, toValueSync } from 'liquidjs';
import type { Emitter, FS, TagToken, Template, TopLevelToken } from 'liquidjs';
import { invalidField } from '../errors.js';

export const MAX_TEMPLATE_LENGTH = 4_000;

/** Render limits of one text, per render. */
export const templateLimits = {
  /** Characters parsed in one text (a stored text may predate MAX_TEMPLATE_LENGTH). */
  parseChars: 20_000,
  /** Template pieces rendered, counting every pass of every loop (a built-in text takes about 30). */
  steps: 2_000,
  /** Characters of output. */
  outputChars: 20_000,
  /** Characters and array items the text's filters and ranges may create. */
  memory: 200_000,
  /**
   * Milliseconds of wall-clock time, checked between pieces: a backstop only. The step, output and memory
   * limits, which do not depend on how busy the machine is, stop a heavy text long before (a built-in text
   * takes well under a millisecond); a lower limit would refuse good texts on a loaded machine.
   */
  renderMs: 500,
} as const;

/** Tags that read other templates from files; notification texts have none. */
export const fileTags = ['include', 'render', 'layout'] as const;

/**
 * A text that cannot be parsed or rendered; the message is safe to show to the merchant. `transient` is set
 * when only the time limit stopped it, which a busy machine can cause: trying again later may succeed.
 */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A render limit was reached: thrown inside liquidjs, which wraps it; found again by explain(). */
class LimitReached extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitReached';
  }
}

const noFile = (): never => {
  throw new TemplateError('notification texts have no files');
};

/** The engine's file system: it knows no files, so nothing a text names can be read, or found to exist. */
const noFiles: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: () => Promise.reject(new TemplateError('notification texts have no files')),
  readFileSync: noFile,
  resolve: (_dir: string, file: string) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
  fallback: () => undefined,
};

function refusedTag(name: string) {
  return class RefusedTag extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new TemplateError(`the ${name} tag is not available: notification texts cannot include other templates or files; write the whole text here`);
    }
    render(): void {}
  };
}

function engine(strictVariables: boolean): Liquid {
  const liquid = new Liquid({
    fs: noFiles,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    cache: false,
    strictFilters: true,
    strictVariables,
    ownPropertyOnly: true,
    parseLimit: templateLimits.parseChars,
    memoryLimit: templateLimits.memory,
    renderLimit: templateLimits.renderMs,
  });
  for (const tag of fileTags) liquid.registerTag(tag, refusedTag(tag));
  return liquid;
}

const lenient = engine(false);
const strict = engine(true);

/** Collects the output, refusing to grow past the limit. */
class BoundedOutput implements Emitter {
  buffer = '';
  write(html: unknown): void {
    const text = stringify(html);
    if (this.buffer.length + text.length > templateLimits.outputChars) {
      throw new LimitReached(`its output is longer than ${templateLimits.outputChars.toLocaleString('en')} characters`);
    }
    this.buffer += text;
  }
}

/** As liquidjs writes a value into its output. */
function stringify(value: unknown): string {
  const v: unknown = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v as string | number | boolean);
}

function renderBounded(liquid: Liquid, templates: Template[], variables: Record<string, string>): string {
  const ctx = new Context(variables, liquid.options, { sync: true }, { liquid });
  // liquidjs checks its time limit before every piece it renders, including every pass of a loop: the same
  // check counts the steps.
  const deadline = ctx.renderLimit;
  const checkTime = deadline.check.bind(deadline);
  let steps = 0;
  deadline.check = (now: number) => {
    steps += 1;
    if (steps > templateLimits.steps) throw new LimitReached(`it renders too many steps (more than ${templateLimits.steps.toLocaleString('en')} pieces and loop passes)`);
    checkTime(now);
  };
  const output = new BoundedOutput();
  toValueSync(liquid.renderer.renderTemplates(templates, ctx, output));
  return output.buffer;
}

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

const TIME_LIMIT = /template render limit exceeded/;

/** The first line of a liquidjs error, in words a merchant can act on; the position is kept. */
function explain(err: unknown): string {
  let cause: unknown = err;
  for (let i = 0; i < 5 && cause instanceof Error; i++) {
    if (cause instanceof LimitReached || cause instanceof TemplateError) break;
    cause = (cause as { originalError?: unknown }).originalError;
  }
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  const at = /, (line:\d+, col:\d+)$/.exec(message)?.[1];
  const where = at ? ` (${at.replace(':', ' ').replace(', col:', ', column ')})` : '';
  if (cause instanceof LimitReached || cause instanceof TemplateError) return `${cause.message}${where}`;
  if (TIME_LIMIT.test(message)) return `it takes longer than ${templateLimits.renderMs} ms to render${where}`;
  if (/memory alloc limit exceeded/.test(message)) return `it uses too much memory (its filters and ranges create more than ${templateLimits.memory.toLocaleString('en')} characters or items)${where}`;
  if (/parse length limit exceeded/.test(message)) return `it is longer than ${templateLimits.parseChars.toLocaleString('en')} characters`;
  return message.replace(/undefined variable: /, 'unknown variable ');
}

/**
 * Renders a template; variables it names but the event cannot fill render as empty. Throws a TemplateError
 * (with a message for the merchant) when the text cannot be parsed or reaches a limit.
 */
export function renderLiquid(source: string, variables: Record<string, string>): string {
  try {
    return tidy(renderBounded(lenient, parse(source), variables));
  } catch (err) {
    throw new TemplateError(explain(err), err instanceof Error && TIME_LIMIT.test(err.message));
  }
}

/**
 * Checks a merchant's template: it must parse, use known filters and tags, stay within the render limits,
 * and name only variables of the catalogue (checked by rendering it over every variable's sample). Throws a
 * 400 naming the field.
 */
export function validateLiquid(field: string, source: string, samples: Record<string, string>): string {
  if (source.trim() === '') throw invalidField(field, 'must not be empty');
  if (source.length > MAX_TEMPLATE_LENGTH) throw invalidField(field, `must be at most ${MAX_TEMPLATE_LENGTH} characters`);
  try {
    return tidy(renderBounded(strict, strict.parse(source), samples));
  } catch (err) {
    const problem = explain(err);
    throw invalidField(field, `is not a valid template: ${problem}${problem.startsWith('unknown variable') ? '; see GET /v1/notification-variables' : ''}`);
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
