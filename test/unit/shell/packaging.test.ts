import { readdirSync, readFileSync } from 'node:fs';
import { join, matchesGlob, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../../electron-builder.config.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

describe('packaging config', () => {
  it('flips the fuses: no RunAsNode, NODE_OPTIONS or --inspect; asar integrity and only-load-from-asar on', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it("unpacks every installed native file of node-llama-cpp's prebuilt packages from the asar", () => {
    const native = filesUnder(join(ROOT, 'node_modules', '@node-llama-cpp')).filter((path) => /\.(node|so|dll|dylib|metal)$/.test(path));
    expect(native.length).toBeGreaterThan(0);
    const packed = native.filter((path) => !config.asarUnpack.some((pattern) => matchesGlob(path, pattern)));
    expect(packed).toEqual([]);
    expect(config.asarUnpack.some((pattern) => matchesGlob('node_modules/node-llama-cpp/bins/linux-x64/llama-addon.node', pattern))).toBe(true);
    expect(config.asarUnpack.some((pattern) => matchesGlob('node_modules/node-llama-cpp/dist/index.js', pattern))).toBe(false);
  });

  it('publishes no update feed and ships no updater or crash reporter', () => {
    expect(config.publish).toBeNull();
    const { dependencies = {} } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(dependencies).filter((name) => /updater|update-electron|sentry|crash|telemetry|analytics/i.test(name))).toEqual([]);
    const main = readFileSync(join(ROOT, 'electron', 'main.ts'), 'utf8');
    expect(main).not.toMatch(/\b(autoUpdater|crashReporter)\b/);
  });

  it('packages the window icon that main.ts loads, from the build resources', () => {
    expect(config.directories.buildResources).toBe('resources');
    expect(config.files.some((pattern) => matchesGlob('resources/icon.png', pattern))).toBe(true);
    const png = readFileSync(join(ROOT, 'resources', 'icon.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    expect(readFileSync(join(ROOT, 'electron', 'main.ts'), 'utf8')).toContain("join(here, '..', '..', 'resources', 'icon.png')");
  });
});
