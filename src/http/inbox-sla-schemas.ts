// Response shapes of business hours, SLA policies and CSAT (see response-schemas.ts for why every route has one).
import { z } from 'zod';
import { apiSchemas } from './response-schemas.js';

const named = <T extends z.ZodType>(id: string, schema: T, description?: string): T => {
  apiSchemas.add(schema as z.ZodType, { id, ...(description ? { description } : {}) });
  return schema;
};
const isoTime = z.string().describe('ISO 8601 time');

export const OpeningInterval = named('OpeningInterval', z.object({ day: z.number().int().describe('ISO weekday: 1 Monday … 7 Sunday'), start: z.string().describe('local HH:MM'), end: z.string().describe('local HH:MM; 24:00 is midnight') }));

export const BusinessHours = named(
  'BusinessHours',
  z.object({
    queue_id: z.string(),
    time_zone: z.string().describe('IANA time zone, e.g. Europe/Warsaw'),
    intervals: z.array(OpeningInterval),
    holidays: z.array(z.string().describe('local date YYYY-MM-DD, closed all day')),
    outside_hours_reply: z.string().nullable().describe('plain text sent once per ticket per closed period when a customer writes while the queue is closed'),
    open_now: z.boolean(),
    updated_at: isoTime,
  }),
);

export const SlaPolicy = named(
  'SlaPolicy',
  z.object({
    id: z.string(),
    name: z.string(),
    scope: z.object({ kind: z.enum(['queue', 'label']).describe('what the policy applies to: a queue’s tickets, or the tickets with a label (a label policy comes before the queue’s)'), id: z.string() }),
    first_response_minutes: z.number().int().nullable(),
    resolution_minutes: z.number().int().nullable(),
    business_hours: z.boolean().describe('targets count only the queue’s business hours'),
    warning_percent: z.number().int(),
    created_at: isoTime,
    updated_at: isoTime,
  }),
);
export const SlaPolicyList = z.object({ data: z.array(SlaPolicy) });

export const CsatSettings = named('CsatSettings', z.object({ enabled: z.boolean(), question: z.string() }));

export const CsatSurvey = named(
  'CsatSurvey',
  z.object({
    id: z.string(),
    ticket_id: z.string(),
    channel: z.string(),
    status: z.enum(['sent', 'answered', 'skipped']),
    reason: z.string().nullable().describe('why no survey was sent'),
    agent: z.string().nullable().describe('who resolved the ticket'),
    score: z.number().int().nullable(),
    sent_at: isoTime,
    answered_at: isoTime.nullable(),
  }),
);
export const CsatSurveyPage = z.object({ data: z.array(CsatSurvey), next_cursor: z.string().nullable() });
export const CsatTicket = z.object({ survey: CsatSurvey.nullable() });

export const CsatAgentScores = named(
  'CsatAgentScores',
  z.object({ data: z.array(z.object({ agent: z.string().nullable(), responses: z.number().int(), average: z.number(), distribution: z.array(z.number().int()).describe('answers that gave 1, 2, 3, 4 and 5') })) }),
);
