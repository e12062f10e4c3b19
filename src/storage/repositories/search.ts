// Search conditions that read the same on SQLite and PostgreSQL: case-insensitive "contains" with the user's
// wildcards escaped, and phone numbers compared by their digits.
import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import { containsPattern } from '../../core/search/query.js';

/** lower(column) LIKE '%text%' ESCAPE '\' (the text is already lower-case). */
export const containsCi = (column: string, text: string): Expression<SqlBool> => sql<SqlBool>`lower(${sql.ref(column)}) like ${containsPattern(text)} escape '\\'`;

/** The stored number without the separators people and stores write (+, spaces, dashes, brackets, dots). */
const digitsOf = (column: string) => sql`replace(replace(replace(replace(replace(replace(${sql.ref(column)}, '+', ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;

/** The stored phone number contains these significant digits. */
export const phoneContains = (column: string, digits: string): Expression<SqlBool> => sql<SqlBool>`${digitsOf(column)} like ${containsPattern(digits)} escape '\\'`;
