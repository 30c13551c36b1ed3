/**
 * The app:// protocol that serves the built renderer, so the page has a real, fixed origin
 * (`app://enclave`) instead of file://. The file logic lives in app-files.ts.
 */
import { protocol, type Session } from 'electron';
import { serveAppRequest } from './app-files.ts';
import { APP_SCHEME } from './security.ts';

/** Must run before the app's `ready` event. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

/** After `ready`: answers app:// requests of this session from the files in rootDir. */
export function serveAppProtocol(session: Session, rootDir: string): void {
  session.protocol.handle(APP_SCHEME, (request) => serveAppRequest(rootDir, request));
}
