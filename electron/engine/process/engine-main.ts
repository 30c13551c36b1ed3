/**
 * Entry of the engine process: Electron's utilityProcess (messages on process.parentPort) or a
 * Node child_process.fork (messages on process.send). A crash in llama.cpp ends only this process.
 */
import { availableParallelism } from 'node:os';
import type { GgufFileInfo } from 'node-llama-cpp';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import { Engine } from './engine.ts';
import { estimateFit, readHardware } from './hardware-fit.ts';
import type { EngineToHost, HardwareFitRequest, HostToEngine } from '../protocol.ts';
import { parseThreadOverride } from './threads.ts';
import { engineBuildChoice } from '../local-build/manifest.ts';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function connectToHost(): { send: (message: EngineToHost) => void; onMessage: (listener: (message: HostToEngine) => void) => void } {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort !== undefined) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data as HostToEngine)),
    };
  }
  if (process.send === undefined) throw new Error('the engine must be started by the Enclave host');
  // The host is gone (closed, or killed before it could say so): nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message) => {
      if (!process.connected) return;
      process.send?.(message, undefined, {}, (error: Error | null) => {
        if (error !== null) process.exit(0);
      });
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as HostToEngine)),
  };
}

const host = connectToHost();
const engine = new Engine(host.send, {
  cores: availableParallelism(),
  threadOverride: parseThreadOverride(process.env.ENCLAVE_THREADS),
  gpu: process.env.ENCLAVE_GPU === 'off' ? false : 'auto',
  engineBuild: engineBuildChoice(process.env),
});

host.onMessage((message) => {
  switch (message.type) {
    case 'generate':
      void engine.generate(message.request);
      break;
    case 'stop':
      engine.stop(message.jobId);
      break;
    case 'threads':
      engine.setMaxThreads(message.maxThreads);
      break;
    case 'unload':
      void engine.unload().then(() => host.send({ type: 'unloaded', requestId: message.requestId }));
      break;
    case 'hardware':
    case 'fit':
    case 'calibrate':
      void answerHardwareFit(message);
      break;
    case 'embed':
      void engine.embed(message.modelPath, message.texts).then(
        ({ vectors, tokens }) => host.send({ type: 'embeddings', requestId: message.requestId, vectors, tokens }),
        (error: unknown) => host.send({ type: 'request-failed', requestId: message.requestId, error: toErrorPayload(error) }),
      );
      break;
    default:
      throw new Error(`unknown engine message ${JSON.stringify(message satisfies never)}`);
  }
});

/** Hardware fit and speed calibration (model library). */
async function answerHardwareFit(message: HardwareFitRequest): Promise<void> {
  try {
    const llama = engine.currentLlama;
    if (llama === null) throw new EnclaveError('ENGINE_UNAVAILABLE', 'the engine has not started');
    if (message.type === 'hardware') host.send({ type: 'hardware-info', requestId: message.requestId, hardware: await readHardware(llama) });
    else if (message.type === 'calibrate') host.send({ type: 'calibration', requestId: message.requestId, ...(await engine.calibrate(message.dir)) });
    else host.send({ type: 'fit-estimate', requestId: message.requestId, estimate: await estimateFit(llama, message.info as GgufFileInfo, message.contextSize) });
  } catch (error) {
    host.send({ type: 'request-failed', requestId: message.requestId, error: toErrorPayload(error) });
  }
}

try {
  const { backend, build, threads } = await engine.start();
  host.send({ type: 'ready', backend, build, threads, pid: process.pid });
} catch (error) {
  host.send({ type: 'fatal', error: { ...toErrorPayload(error), code: 'ENGINE_UNAVAILABLE' } });
  process.exitCode = 1;
}
