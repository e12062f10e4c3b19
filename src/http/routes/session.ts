// Console sign-in: a session cookie (HttpOnly) and a CSRF cookie the console echoes in x-csrf-token, plus a
// long-lived device cookie that keeps this browser trusted through a lock-out; users of the workspace with
// their roles. Sign-ins are rate limited per client address and in total (in Redis when the hub uses it, so
// the limits hold across processes) before any password is hashed.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as rs from '../response-schemas.js';
import type { HttpDeps } from '../deps.js';
import { idParams } from '../views.js';
import { AppError } from '../../core/errors.js';
import type { User } from '../../core/repos.js';
import { DEVICE_TTL_MS, SESSION_TTL_MS } from '../../core/users/service.js';
import { admin, agent, open } from '../roles.js';

export const SESSION_COOKIE = 'shoptalk_session';
export const CSRF_COOKIE = 'shoptalk_csrf';
export const DEVICE_COOKIE = 'shoptalk_device';

const userView = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, created_at: new Date(u.createdAt).toISOString() });

function setCookies(reply: FastifyReply, secure: boolean, session: { token: string; csrf: string } | null): void {
  const base = { path: '/', sameSite: 'lax', secure } as const;
  const maxAge = session ? Math.floor(SESSION_TTL_MS / 1000) : 0;
  void reply.setCookie(SESSION_COOKIE, session?.token ?? '', { ...base, httpOnly: true, maxAge });
  void reply.setCookie(CSRF_COOKIE, session?.csrf ?? '', { ...base, maxAge });
}

/** Answers 429 with Retry-After when a sign-in limit is used up. */
function limited(reply: FastifyReply, ttlSeconds: number, what: string): never {
  const retry = Math.max(1, ttlSeconds);
  void reply.header('retry-after', String(retry));
  throw new AppError('rate_limited', `too many sign-ins ${what}; try again in ${retry} s`, { retry_after_seconds: retry });
}

export const sessionRoutes = (deps: HttpDeps): FastifyPluginAsyncZod => async (app) => {
  const secure = deps.config.http.publicUrl.startsWith('https://');
  const limits = deps.config.http.signIn;
  // Per client address, then in total; a browser with a genuine device cookie is spared the total limit, so a
  // flood from many addresses cannot keep known users out.
  const perIp = app.createRateLimit({ max: limits.perIpPerMinute, timeWindow: 60_000, keyGenerator: (req) => `signin-ip:${req.ip}` });
  const total = app.createRateLimit({ max: limits.perMinute, timeWindow: 60_000, keyGenerator: () => 'signin-all' });
  const checkLimits = async (req: FastifyRequest, reply: FastifyReply) => {
    const ip = await perIp(req);
    if (!ip.isAllowed && ip.isExceeded) limited(reply, ip.ttlInSeconds, 'from this address');
    if (deps.users.isGenuineDevice(req.cookies[DEVICE_COOKIE] ?? null)) return;
    const all = await total(req);
    if (!all.isAllowed && all.isExceeded) limited(reply, all.ttlInSeconds, 'right now');
  };

  app.post(
    '/session',
    {
      config: open,
      onRequest: checkLimits,
      schema: { tags: ['session'], summary: 'Sign in to the console: sets the session, CSRF and device cookies', response: { 200: rs.SessionInfo }, body: z.object({ email: z.string().max(320), password: z.string().max(200) }) },
    },
    async (req, reply) => {
      const { user, token, session, device } = await deps.users.signIn(req.body.email, req.body.password, req.cookies[DEVICE_COOKIE] ?? null);
      setCookies(reply, secure, { token, csrf: session.csrfToken });
      void reply.setCookie(DEVICE_COOKIE, device, { path: '/v1/session', sameSite: 'strict', secure, httpOnly: true, maxAge: Math.floor(DEVICE_TTL_MS / 1000) });
      const workspace = await deps.uow.repos.workspaces.get(user.workspaceId);
      return { user: userView(user), workspace: workspace ? { id: workspace.id, name: workspace.name } : null };
    },
  );

  app.get('/session', { config: agent, schema: { tags: ['session'], summary: 'Who is signed in', response: { 200: rs.SessionInfo } } }, async (req) => {
    if (!req.auth.userId) throw new AppError('unauthenticated', 'this request uses an API key, not a console session');
    const user = await deps.uow.repos.users.get(req.auth.workspaceId, req.auth.userId);
    const workspace = await deps.uow.repos.workspaces.get(req.auth.workspaceId);
    if (!user) throw new AppError('unauthenticated', 'the user no longer exists');
    return { user: userView(user), workspace: workspace ? { id: workspace.id, name: workspace.name } : null };
  });

  app.delete('/session', { config: agent, schema: { tags: ['session'], summary: 'Sign out', response: { 204: rs.NoContent } } }, async (req, reply) => {
    if (req.auth.sessionId) await deps.users.signOut(req.auth.sessionId);
    setCookies(reply, secure, null);
    return reply.status(204).send();
  });

  app.get('/users', { config: admin, schema: { tags: ['session'], summary: 'Console users of the workspace', response: { 200: rs.UserList } } }, async (req) => ({ data: (await deps.uow.repos.users.list(req.auth.workspaceId)).map(userView) }));
  app.post(
    '/users',
    {
      config: admin,
      schema: {
        tags: ['session'],
        summary: 'Add a console user (admin or agent); without a password one is generated and shown once',
        body: z.object({ email: z.string().max(320), name: z.string().max(200).optional(), role: z.enum(['admin', 'agent']), password: z.string().min(10).max(200).optional() }),
        response: { 201: rs.CreatedUser },
      },
    },
    async (req, reply) => {
      const { user, password } = await deps.users.create(req.auth.workspaceId, req.body);
      return reply.status(201).send({ ...userView(user), ...(password ? { password } : {}) });
    },
  );
  app.delete('/users/:id', { config: admin, schema: { tags: ['session'], params: idParams, response: { 204: rs.NoContent } } }, async (req, reply) => {
    await deps.users.remove(req.auth.workspaceId, req.params.id);
    return reply.status(204).send();
  });
};
