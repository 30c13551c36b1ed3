/** Starts the engine with child_process.fork: the web host, tests and benchmarks. */
import { fork } from 'node:child_process';
import type { EngineToHost } from '../protocol.ts';
import type { EngineProcess, SpawnEngine } from './engine-process.ts';

export function nodeEngineSpawner(entry: string): SpawnEngine {
  return (env) => {
    const child = fork(entry, [], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const process_: EngineProcess = {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as EngineToHost)),
      onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
      kill: () => child.kill('SIGKILL'),
    };
    return process_;
  };
}
