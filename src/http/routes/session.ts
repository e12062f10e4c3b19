// Console sign-in: a session cookie (HttpOnly) and a CSRF cookie the console echoes in x-csrf-token; users of
// the workspace with their roles.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { idParams } from '../views.js';
import { AppError } from '../../core/errors.js';
import type { User } from '../../core/repos.js';
import { SESSION_TTL_MS } from '../../core/users/service.js';

export const SESSION_COOKIE = 'shoptalk_session';
export const CSRF_COOKIE = 'shoptalk_csrf';

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

const userView = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, created_at: new Date(u.createdAt).toISOString() });

function setCookies(reply: FastifyReply, secure: boolean, session: { token: string; csrf: string } | null): void {
  const base = `Path=/; SameSite=Lax${secure ? '; Secure' : ''}`;
  const age = session ? `Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}` : 'Max-Age=0';
  reply.header('set-cookie', [`${SESSION_COOKIE}=${session?.token ?? ''}; ${base}; HttpOnly; ${age}`, `${CSRF_COOKIE}=${session?.csrf ?? ''}; ${base}; ${age}`]);
}

export const sessionRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const secure = deps.config.http.publicUrl.startsWith('https://');

  app.post(
    '/session',
    { schema: { tags: ['session'], summary: 'Sign in to the console: sets the session and CSRF cookies', body: z.object({ email: z.string().max(320), password: z.string().max(200) }) } },
    async (req, reply) => {
      const { user, token, session } = await deps.users.signIn(req.body.email, req.body.password);
      setCookies(reply, secure, { token, csrf: session.csrfToken });
      const workspace = await deps.uow.repos.workspaces.get(user.workspaceId);
      return { user: userView(user), workspace: workspace ? { id: workspace.id, name: workspace.name } : null };
    },
  );

  app.get('/session', { schema: { tags: ['session'], summary: 'Who is signed in' } }, async (req) => {
    if (!req.auth.userId) throw new AppError('unauthenticated', 'this request uses an API key, not a console session');
    const user = await deps.uow.repos.users.get(req.auth.workspaceId, req.auth.userId);
    const workspace = await deps.uow.repos.workspaces.get(req.auth.workspaceId);
    if (!user) throw new AppError('unauthenticated', 'the user no longer exists');
    return { user: userView(user), workspace: workspace ? { id: workspace.id, name: workspace.name } : null };
  });

  app.delete('/session', { schema: { tags: ['session'], summary: 'Sign out' } }, async (req, reply) => {
    if (req.auth.sessionId) await deps.users.signOut(req.auth.sessionId);
    setCookies(reply, secure, null);
    return reply.status(204).send();
  });

  app.get('/users', { schema: { tags: ['session'], summary: 'Console users of the workspace' } }, async (req) => ({ data: (await deps.uow.repos.users.list(req.auth.workspaceId)).map(userView) }));
  app.post(
    '/users',
    {
      schema: {
        tags: ['session'],
        summary: 'Add a console user (admin or agent); without a password one is generated and shown once',
        body: z.object({ email: z.string().max(320), name: z.string().max(200).optional(), role: z.enum(['admin', 'agent']), password: z.string().min(10).max(200).optional() }),
      },
    },
    async (req, reply) => {
      const { user, password } = await deps.users.create(req.auth.workspaceId, req.body);
      return reply.status(201).send({ ...userView(user), ...(password ? { password } : {}) });
    },
  );
  app.delete('/users/:id', { schema: { tags: ['session'], params: idParams } }, async (req, reply) => {
    await deps.users.remove(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });
};
