import { describe, expect, it } from 'vitest';
import { eventTypes } from '../events/model.js';
import { variableCatalogue } from '../notifications/variables.js';
import { AppError } from '../errors.js';
import { builtinText, templateLocales } from './builtin.js';
import { TemplateError, fileTags, renderLiquid, templateLimits, validateLiquid } from './liquid.js';

const samples = Object.fromEntries(variableCatalogue.map((v) => [v.key, v.sample]));

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError || err instanceof TemplateError) return err.message;
    throw err;
  }
  throw new Error('expected the text to be refused');
}

describe('merchant Liquid texts', () => {
  it('renders every built-in text in every language, with and without values', () => {
    for (const type of eventTypes) {
      for (const locale of templateLocales) {
        const { subject, body } = builtinText(type, locale);
        for (const source of [subject, body]) {
          expect(validateLiquid('template.body', source, samples)).not.toBe('');
          expect(() => renderLiquid(source, {})).not.toThrow();
        }
      }
    }
    expect(renderLiquid(builtinText('order.shipped', 'en').body, { ...samples, tracking_url: '' })).toContain('Tracking number: ');
  });

  it('refuses the tags that read files, naming the tag, with one answer whether the file exists or not', () => {
    expect.hasAssertions();
    for (const tag of fileTags) {
      const answers = new Set<string>();
      for (const file of ['package.json', 'data/master.key', 'no-such-file', '/etc/hostname', '../../package.json']) {
        for (const source of [`Hi {% ${tag} '${file}' %}`, `{% liquid ${tag} "${file}" %}`, `{%- ${tag} ${JSON.stringify(file)} with x -%}`]) {
          const saved = problemOf(() => validateLiquid('template.subject', source, samples));
          expect(saved).toMatch(new RegExp(`^template\\.subject: is not a valid template: the ${tag} tag is not available`));
          const rendered = problemOf(() => renderLiquid(source, samples));
          expect(rendered).toMatch(new RegExp(`^the ${tag} tag is not available`));
          for (const text of [saved, rendered]) {
            expect(text).not.toMatch(/ENOENT|lookup|shoptalk|"name"|root:/);
            answers.add(text.replace(/ \(line \d+, column \d+\)/, ''));
          }
        }
      }
      expect(answers.size).toBe(2);
    }
  });

  it('keeps the tags that do not read files', () => {
    const source =
      '{% capture who %}{{ customer_name | default: "there" }}{% endcapture %}{% case brand %}{% when "KapasKraft" %}KK{% else %}?{% endcase %} {{ who }}' +
      '{% assign parts = "a,b" | split: "," %}{% for p in parts %}-{{ p }}{% endfor %}{% raw %}{{ x }}{% endraw %}{% comment %}no{% endcomment %}';
    expect(validateLiquid('template.body', source, samples)).toBe('KK Asha Verma-a-b{{ x }}');
  });

  it('cuts off loops, outputs and allocations that pass the limits, with a clear error', () => {
    const cases: Array<[string, RegExp]> = [
      // Which of two limits stops a loop first can depend on the machine's speed; either one cuts it off.
      ['{% for a in (1..999) %}{% for b in (1..999) %}{% endfor %}{% endfor %}', /too many steps|takes longer than \d+ ms/],
      [`{% for a in (1..${templateLimits.steps}) %}{% endfor %}`, /too many steps|takes longer than \d+ ms/],
      [`{% assign s = "${'x'.repeat(1000)}" %}{% for a in (1..999) %}{{ s }}{% endfor %}`, /output is longer than 20,000 characters/],
      ['{% for a in (1..100000000) %}x{% endfor %}', /too much memory/],
      [`{% assign s = "xxxxxxxxxxxxxxxx" %}${'{% assign s = s | append: s %}'.repeat(20)}{{ s | size }}`, /too much memory/],
    ];
    for (const [source, problem] of cases) {
      expect(problemOf(() => validateLiquid('template.body', source, samples))).toMatch(problem);
      expect(problemOf(() => renderLiquid(source, samples))).toMatch(problem);
    }
  });

  it('renders texts within the limits', () => {
    const loop = `{% for a in (1..200) %}{{ a }},{% endfor %}`;
    expect(renderLiquid(loop, {}).split(',')).toHaveLength(201);
    const big = `{% assign s = "${'x'.repeat(1000)}" %}{% for a in (1..19) %}{{ s }}{% endfor %}`;
    expect(renderLiquid(big, {})).toHaveLength(19_000);
  });
});
