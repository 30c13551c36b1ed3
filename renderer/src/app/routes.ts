/**
 * Pages of the app, addressed by the URL hash (#/models), so a reload or a second window keeps the
 * page in both hosts. Each feature adds its page here and in App.tsx's PAGES table.
 */
export const ROUTES = ['chat', 'documents', 'compare', 'models', 'privacy', 'api', 'workshop'] as const;
export type Route = (typeof ROUTES)[number];

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'chat';
}

export function hashFor(route: Route): string {
  return `#/${route}`;
}
