// The public rating page a CSAT link (e-mail, SMS) opens: signed links only (an altered link is refused), one
// answer per survey (a second is refused). GET shows the question and five buttons (link scanners that follow
// the link rate nothing); a button POSTs the score.
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';
import { htmlPage } from './security-headers.js';
import { AppError } from '../core/errors.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const LABELS = ['Very poor', 'Poor', 'Okay', 'Good', 'Excellent'];

export async function csatPageRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  const invalid = '<h1>This link is not valid</h1><p>It may have been copied incompletely.</p>';
  app.get<{ Params: { token: string } }>('/csat/:token', { schema: { hide: true } }, async (req, reply) => {
    const found = await deps.sla.readRatingLink(req.params.token);
    if (!found) return reply.status(404).type('text/html').send(htmlPage('Link not valid', invalid));
    if (found.survey.score !== null) return reply.type('text/html').send(htmlPage('Thank you', `<h1>Thank you</h1><p>You rated us ${found.survey.score} of 5.</p>`));
    const settings = await deps.sla.csatSettings(found.workspaceId);
    const token = encodeURIComponent(req.params.token);
    const buttons = LABELS.map((label, i) => `<form method="post" action="/csat/${token}/${i + 1}"><button type="submit">${i + 1} – ${label}</button></form>`).join('');
    return reply.type('text/html').send(htmlPage('Rate our help', `<h1>Rate our help</h1><p>${escape(settings.question)}</p>${buttons}`));
  });
  app.post<{ Params: { token: string; score: string } }>('/csat/:token/:score', { schema: { hide: true } }, async (req, reply) => {
    const found = await deps.sla.readRatingLink(req.params.token);
    if (!found) return reply.status(404).type('text/html').send(htmlPage('Link not valid', invalid));
    const score = Number(req.params.score);
    if (!/^[1-5]$/.test(req.params.score)) return reply.status(400).type('text/html').send(htmlPage('Not a rating', '<h1>Choose a rating from 1 to 5</h1>'));
    try {
      await deps.sla.answer(found.workspaceId, found.survey.id, score);
    } catch (err) {
      if (err instanceof AppError && err.code === 'conflict') return reply.status(409).type('text/html').send(htmlPage('Already rated', '<h1>You have rated this conversation already</h1><p>Thank you.</p>'));
      throw err;
    }
    return reply.type('text/html').send(htmlPage('Thank you', `<h1>Thank you</h1><p>You rated us ${score} of 5.</p>`));
  });
}
