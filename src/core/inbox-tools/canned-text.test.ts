// Canned reply text: only the listed variables, one pass of substitution, and the "@e-mail" mentions of a note.
import { describe, expect, it } from 'vitest';
import { cannedTextProblem, cannedVariablesIn, renderCanned } from './canned-text.js';
import type { CannedValues } from './canned-text.js';
import { mentionedEmails } from './service.js';

const values: CannedValues = { 'customer.name': 'Anna Nowak', 'customer.first_name': 'Anna', 'order.number': '1001-A', 'order.url': 'https://shop.example/o/1001', 'agent.name': 'Ben', 'shop.name': null };

describe('canned reply text', () => {
  it('accepts the listed variables, with or without spaces inside the braces', () => {
    expect(cannedTextProblem('Hi {{customer.name}}, {{ order.number }} {{order.url}} {{agent.name}} {{shop.name}} {{customer.first_name}}')).toBeNull();
    expect(cannedTextProblem('No variables at all')).toBeNull();
  });

  it('names every unknown variable, including names of object properties', () => {
    expect(cannedTextProblem('{{customer.email}} {{__proto__}} {{toString}} {{ customer.email }}')).toMatch(/^unknown variables \{\{customer\.email\}\}, \{\{__proto__\}\}, \{\{toString\}\};/);
    expect(cannedTextProblem('{{}}')).toMatch(/^unknown variable \{\{\}\}/);
  });

  it('refuses braces that are not a variable', () => {
    expect(cannedTextProblem('Hi {{customer.name}')).toMatch(/"\{\{" or "\}\}"/);
    expect(cannedTextProblem('done }}')).not.toBeNull();
    // Single braces are text.
    expect(cannedTextProblem('{{{customer.name}}}')).toBeNull();
    expect(renderCanned('{{{customer.name}}}', values).text).toBe('{Anna Nowak}');
  });

  it('lists the variables used, once each, in order', () => {
    expect(cannedVariablesIn('{{order.url}} {{customer.name}} {{order.url}}')).toEqual(['order.url', 'customer.name']);
  });

  it('fills values in one pass: a value that looks like a variable stays as written', () => {
    const r = renderCanned('Hi {{customer.first_name}}, order {{order.number}}: {{order.url}}', { ...values, 'customer.first_name': '{{agent.name}}' });
    expect(r).toEqual({ text: 'Hi {{agent.name}}, order 1001-A: https://shop.example/o/1001', missing: [] });
  });

  it('leaves variables without a value empty and says which', () => {
    expect(renderCanned('From {{shop.name}} and {{ shop.name }}', values)).toEqual({ text: 'From  and ', missing: ['shop.name'] });
  });
});

describe('mentions in a note', () => {
  it('are "@" followed by an e-mail address, lower-cased, once each', () => {
    expect(mentionedEmails('@Ben@Shop.example please look, and @cy@shop.example. Again @ben@shop.example!')).toEqual(['ben@shop.example', 'cy@shop.example']);
  });

  it('are not a plain address or an "@" inside a word', () => {
    expect(mentionedEmails('the buyer wrote from anna@example.pl; price @ 10 zł; x@@y.example')).toEqual([]);
  });
});
