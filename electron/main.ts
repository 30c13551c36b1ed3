/**
 * The Electron shell: one hardened window over the same Host the web host runs. Only wiring lives
 * here; every decision it applies is a pure, tested function in electron/shell/.
 *
 * Built, this file is out/main/main.js beside engine.js, with out/preload and out/renderer next
 * to out/main. No crash reporter and no auto-updater are started: nothing is sent anywhere.
 *
 * ESM caveat: nothing may `await app.whenReady()` at the top level (Electron waits for this
 * module before it emits `ready`, so that would hang); setup before `ready` is synchronous.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, session, type MenuItemConstructorOptions, type Session, type WebContents } from 'electron';
import ElectronStore from 'electron-store';
import { ensureDirectories, loadConfig, type AppConfig } from './host/config.ts';
import { Host } from './host/host.ts';
import { openSettings } from './services/settings/settings.ts';
import { registerAppScheme, serveAppProtocol } from './shell/app-protocol.electron.ts';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './shell/bridge.ts';
import { utilityEngineSpawner } from './shell/engine-spawn.electron.ts';
import { openExternalLink } from './shell/external-links.electron.ts';
import { saveReportWithDialog } from './shell/save-report.electron.ts';
import { pickModelsWithDialog } from './shell/pick-models.electron.ts';
import { showItemInFolder } from './shell/reveal.electron.ts';
import { safeStorageSecretBox } from './shell/safe-storage.electron.ts';
import { callFromRenderer } from './shell/ipc-guard.ts';
import { APP_ENTRY_URL, decideNavigation, decidePermission, devContentSecurityPolicy, isAllowedRequestUrl, isAppUrl, resolveAppOrigin } from './shell/security.ts';
import { applySwitches } from './shell/switches.ts';
import { backgroundColor, mainWindowOptions, WINDOW_TITLE } from './shell/window-options.ts';

const here = import.meta.dirname;
const paths = {
  engine: join(here, 'engine.js'),
  extractWorker: join(here, 'extract-worker.js'),
  preload: join(here, '..', 'preload', 'preload.cjs'),
  renderer: join(here, '..', 'renderer'),
  icon: join(here, '..', '..', 'resources', 'icon.png'),
};
/** How long quitting waits for the engine to stop. */
const DISPOSE_TIMEOUT_MS = 5000;

// electron-vite sets ELECTRON_RENDERER_URL in development; a packaged app never trusts it.
const devServerUrl = app.isPackaged ? undefined : nonEmpty(process.env.ELECTRON_RENDERER_URL);
const appOrigin = resolveAppOrigin(devServerUrl);
const startUrl = devServerUrl ?? APP_ENTRY_URL;

app.setName(WINDOW_TITLE);
// Same default folder as the web host (config.ts's defaultDataDir): <appData>/Enclave.
const config = loadConfig(process.env, join(app.getPath('appData'), WINDOW_TITLE));
// All app data in one folder; Chromium's own files in a subfolder of it. The single-instance lock
// lives in userData, so two instances with different ENCLAVE_DATA_DIR can run side by side.
app.setPath('userData', config.dataDir);
app.setPath('sessionData', join(config.dataDir, 'chromium'));
app.setPath('crashDumps', join(config.dataDir, 'chromium', 'crashes'));

let host: Host | null = null;
let mainWindow: BrowserWindow | null = null;

if (app.requestSingleInstanceLock()) {
  prepare(config);
} else {
  app.quit();
}

function prepare(appConfig: AppConfig): void {
  app.enableSandbox();
  applySwitches(app.commandLine);
  registerAppScheme();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (app.isReady() && host !== null) showWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && host !== null) showWindow();
  });
  app.on('will-quit', (event) => {
    if (host === null) return;
    event.preventDefault();
    const closing = host;
    host = null;
    void Promise.race([closing.dispose(), new Promise((resolve) => setTimeout(resolve, DISPOSE_TIMEOUT_MS))])
      .catch((error: unknown) => console.error('Enclave: stopping the engine failed', error))
      .finally(() => app.quit());
  });
  void app
    .whenReady()
    .then(() => onReady(appConfig))
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.error('Enclave could not start', error);
      dialog.showErrorBox('Enclave could not start', message);
      app.exit(1);
    });
}

function onReady(appConfig: AppConfig): void {
  const ses = session.defaultSession;
  hardenSession(ses);
  serveAppProtocol(ses, paths.renderer);
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate()));

  ensureDirectories(appConfig);
  const settings = openSettings(appConfig.dataDir, (options) => new ElectronStore<Record<string, unknown>>(options));
  if (settings.movedAside !== null) console.warn(`Enclave: the settings file was unreadable; it was kept as ${settings.movedAside}`);
  const started = new Host({
    kind: 'electron',
    version: app.getVersion(),
    config: appConfig,
    spawnEngine: utilityEngineSpawner(paths.engine),
    documentsWorker: paths.extractWorker,
    settings: settings.backend,
    // Workshop participants get the same built renderer over HTTP.
    rendererDir: paths.renderer,
    openExternal: openExternalLink,
    saveReport: saveReportWithDialog,
    pickModels: pickModelsWithDialog,
    showItemInFolder,
    secrets: safeStorageSecretBox(),
  });
  host = started;
  ipcMain.handle(IPC_CALL_CHANNEL, (event, command: unknown, input: unknown) => {
    const frame = event.senderFrame;
    const sender = frame === null ? null : { url: frame.url, isMainFrame: frame.parent === null };
    return callFromRenderer(started, sender, appOrigin, command, input);
  });
  started.onEvent((hostEvent) => {
    const contents = mainWindow?.webContents;
    if (contents === undefined || contents.isDestroyed() || !isAppUrl(contents.getURL(), appOrigin)) return;
    contents.send(IPC_EVENT_CHANNEL, hostEvent);
  });
  void started.start().catch((error: unknown) => console.error('Enclave: the host failed to start', error));
  showWindow();
}

function showWindow(): void {
  if (mainWindow !== null) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  const window = new BrowserWindow(mainWindowOptions({ preloadPath: paths.preload, iconPath: paths.icon, dark: nativeTheme.shouldUseDarkColors }));
  mainWindow = window;
  const repaint = (): void => window.setBackgroundColor(backgroundColor(nativeTheme.shouldUseDarkColors));
  nativeTheme.on('updated', repaint);
  window.once('ready-to-show', () => window.show());
  // The window keeps its name; the page's <title> does not replace it.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.webContents.on('render-process-gone', (_event, details) => console.error('Enclave: the window renderer stopped', details.reason));
  window.on('closed', () => {
    nativeTheme.off('updated', repaint);
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(startUrl);
}

/** Every web contents: no new windows, no navigation away from the app, no webviews, no WebRTC leaks. */
function hardenWebContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const guard = (event: { url: string; preventDefault(): void }): void => {
    if (decideNavigation(event.url, appOrigin) === 'deny') event.preventDefault();
  };
  contents.on('will-navigate', (event) => guard(event));
  contents.on('will-frame-navigate', (event) => guard(event));
  contents.on('will-redirect', (event) => guard(event));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
  contents.setWebRTCIPHandlingPolicy('disable_non_proxied_udp');
}

/** The default session: no permissions but clipboard writes, no devices, no requests off the app. */
function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(decidePermission(permission, details.requestingUrl, appOrigin)));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => decidePermission(permission, requestingOrigin, appOrigin));
  ses.setDevicePermissionHandler(() => false);
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url, appOrigin, details.resourceType);
    // In the egress log with the Node side's attempts (before the host exists, on the console only).
    if (!allowed) {
      if (host !== null) host.shell.logRendererRequest(details.url, details.resourceType);
      else console.warn(`Enclave: blocked a ${details.resourceType} request to ${details.url.slice(0, 200)}`);
    }
    callback({ cancel: !allowed });
  });
  if (devServerUrl !== undefined) {
    // app:// responses carry the CSP themselves (app-files.ts); the dev server's pages get it here.
    ses.webRequest.onHeadersReceived({ urls: [`${appOrigin}/*`] }, (details, callback) => {
      const headers = { ...details.responseHeaders, 'Content-Security-Policy': [devContentSecurityPolicy(appOrigin)] };
      callback({ responseHeaders: headers });
    });
  }
  // No spell checking, so no Hunspell dictionary download (and the URL leads nowhere anyway).
  ses.setSpellCheckerEnabled(false);
  ses.setSpellCheckerDictionaryDownloadURL('http://127.0.0.1:9/');
}

/** Edit and window roles only: the default menu's Help entries open electronjs.org. */
function menuTemplate(): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }];
  if (!app.isPackaged) view.unshift({ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  return [...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]), { role: 'editMenu' }, { label: 'View', submenu: view }, { role: 'windowMenu' }];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
