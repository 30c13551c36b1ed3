/** The local API's command (it is switched on and configured through the settings). */
import type { apiCommandSchemas } from '#shared/api.ts';
import type { Handlers } from '../../router/router.ts';
import type { ApiService } from './api-service.ts';

export function apiHandlers(api: ApiService): Handlers<keyof typeof apiCommandSchemas> {
  return { 'api.status': () => api.status() };
}
