/** Starts the engine in an Electron utilityProcess: the desktop app's counterpart of spawn-node.ts. */
import { utilityProcess } from 'electron';
import type { EngineProcess, SpawnEngine } from '../engine/client/engine-process.ts';
import type { EngineToHost } from '../engine/protocol.ts';
import { utilityEnvironment } from './engine-env.ts';

/** How long a process asked to stop may take before it is killed outright. */
const KILL_GRACE_MS = 3000;

export function utilityEngineSpawner(entry: string): SpawnEngine {
  return (env) => {
    const child = utilityProcess.fork(entry, [], {
      env: utilityEnvironment(process.env, env),
      serviceName: 'Enclave engine',
      stdio: 'inherit',
    });
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    const engine: EngineProcess = {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as EngineToHost)),
      // A utility process reports only its exit code.
      onExit: (listener) => child.on('exit', (code) => listener(code, null)),
      kill: () => {
        if (exited) return;
        const pid = child.pid;
        // kill() asks politely (SIGTERM on POSIX); a process stuck in native code gets SIGKILL.
        child.kill();
        if (pid === undefined || process.platform === 'win32') return;
        const timer = setTimeout(() => {
          if (exited) return;
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }, KILL_GRACE_MS);
        timer.unref();
      },
    };
    return engine;
  };
}
