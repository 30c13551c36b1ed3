/**
 * Packaging (electron-builder; `npx electron-builder --config electron-builder.config.ts` after
 * `npm run build`). electron-builder itself is not a dependency yet: this typed module is the
 * config, and test/unit/shell/packaging.test.ts checks the security-relevant parts of it.
 *
 * Fuses are flipped in the Electron binary at package time, so a user (or malware) cannot turn
 * the shipped app into a Node runtime or attach a debugger to it, and the app only runs code from
 * its own integrity-checked app.asar.
 */

/** electron-builder's `electronFuses` option (names as in @electron/fuses' FuseV1Options). */
export interface ElectronFuses {
  runAsNode: boolean;
  enableCookieEncryption: boolean;
  enableNodeOptionsEnvironmentVariable: boolean;
  enableNodeCliInspectArguments: boolean;
  enableEmbeddedAsarIntegrityValidation: boolean;
  onlyLoadAppFromAsar: boolean;
  loadBrowserProcessSpecificV8Snapshot: boolean;
  grantFileProtocolExtraPrivileges: boolean;
}

/** The subset of electron-builder's Configuration this app sets. */
export interface PackagingConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  asar: true;
  /** Native code cannot be loaded from inside an asar archive: llama.cpp's binaries are unpacked. */
  asarUnpack: string[];
  electronFuses: ElectronFuses;
  /** null: no update feed is published, and the app has no auto-updater. */
  publish: null;
  linux: { target: string[]; category: string };
  win: { target: string[] };
  mac: { target: string[]; category: string; hardenedRuntime: boolean };
}

const config: PackagingConfig = {
  appId: 'app.enclave.desktop',
  productName: 'Enclave',
  directories: { output: 'dist', buildResources: 'resources' },
  files: ['out/**', 'package.json', 'seeds/**', 'resources/icon.png'],
  asar: true,
  asarUnpack: ['node_modules/node-llama-cpp/bins/**', 'node_modules/node-llama-cpp/llama/localBuilds/**', 'node_modules/@node-llama-cpp/**'],
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
  publish: null,
  linux: { target: ['AppImage', 'deb'], category: 'Utility' },
  win: { target: ['nsis'] },
  mac: { target: ['dmg'], category: 'public.app-category.productivity', hardenedRuntime: true },
};

export default config;
