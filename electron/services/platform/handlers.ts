/** What the app says of itself: its version, which host serves it and its folders. */
import type { appCommandSchemas, AppInfo } from '#shared/app.ts';
import type { Handlers } from '../../router/router.ts';

export function appHandlers(info: AppInfo): Handlers<keyof typeof appCommandSchemas> {
  return { 'app.info': () => info };
}
