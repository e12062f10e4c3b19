// Who may call each route, declared on the route itself (`config: admin` / `agent` / `open`) and checked by
// one hook. Admins (and API keys) may do everything; agents answer customers and work the inbox, and may not
// read how the workspace is set up where that shows secrets or other people's access (API keys, users,
// connections and their secrets, webhook subscriptions and deliveries, dead jobs). A route that declares no
// role is treated as admin-only: forgetting the declaration can never open a route to agents.
import type { FastifyInstance, RouteOptions } from 'fastify';

export type RouteRole = 'open' | 'agent' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** open: no credentials (sign-in, webhooks with their own signatures, health, docs, console files). */
    role?: RouteRole;
  }
}

export const admin = { role: 'admin' } as const;
export const agent = { role: 'agent' } as const;
export const open = { role: 'open' } as const;

export interface DeclaredRoute {
  method: string;
  url: string;
  role: RouteRole | undefined;
}

const declared = new WeakMap<FastifyInstance, RouteOptions[]>();

/** Keeps every route the app registers, so tests can check that each declares its role. */
export function trackRoutes(app: FastifyInstance): void {
  const list: RouteOptions[] = [];
  declared.set(app, list);
  app.addHook('onRoute', (route) => {
    list.push(route);
  });
}

export function declaredRoutes(app: FastifyInstance): DeclaredRoute[] {
  return (declared.get(app) ?? []).flatMap((r) =>
    (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({ method, url: r.url, role: (r.config as { role?: RouteRole } | undefined)?.role })),
  );
}

/** Marks every route registered in a scope as open (webhooks verify their own signatures; docs; console). */
export function openScope(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object | undefined), role: (route.config as { role?: RouteRole } | undefined)?.role ?? 'open' };
  });
}

/** The role a request needs: undeclared routes need an admin. */
export const requiredRole = (config: { role?: RouteRole } | undefined): RouteRole => config?.role ?? 'admin';
