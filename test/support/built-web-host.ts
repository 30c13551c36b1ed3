/** The built web host (out/main/web.js, exactly what `npm run web` starts) in a process of its own. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const BUILT_WEB_ENTRY = join(import.meta.dirname, '..', '..', 'out', 'main', 'web.js');

export interface BuiltWebHost {
  url: string;
  child: ChildProcess;
  /** SIGTERM (a clean shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

export async function startBuiltWebHost(dataDir: string, modelsDir: string, env: NodeJS.ProcessEnv = {}): Promise<BuiltWebHost> {
  if (!existsSync(BUILT_WEB_ENTRY)) throw new Error(`${BUILT_WEB_ENTRY} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [BUILT_WEB_ENTRY, '--port', '0'], {
    env: { ...process.env, ...env, ENCLAVE_DATA_DIR: dataDir, ENCLAVE_MODELS_DIR: modelsDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Enclave web host: (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the web host exited with code ${code}: ${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
