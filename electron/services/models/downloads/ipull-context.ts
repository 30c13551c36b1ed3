/**
 * ipull, the downloader under node-llama-cpp's createModelDownloader, leaves a promise rejected
 * and unhandled whenever one of its parallel streams fails (base-download-program.js derives
 * `promise.then(...)` with no catch): an expired link (403) or a full disk in the middle of a
 * download. Node ends the process on an unhandled rejection, so the web host would go down.
 *
 * The same failure also rejects download(), which the download service handles (and a failure
 * ipull loses entirely is caught by its stall watchdog). So every promise created while ipull
 * runs inside `runIpull` gets a no-op rejection handler the moment it is created (V8's promise
 * hook); promises created anywhere else are untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { promiseHooks } from 'node:v8';

const inIpull = new AsyncLocalStorage<true>();
let installed = false;
/** The handler itself creates a promise: that one must not be hooked again. */
let attaching = false;
const ignore = (): void => undefined;

function install(): void {
  if (installed) return;
  installed = true;
  promiseHooks.onInit((promise) => {
    if (attaching || inIpull.getStore() !== true) return;
    attaching = true;
    try {
      promise.then(undefined, ignore);
    } finally {
      attaching = false;
    }
  });
}

/** Runs ipull's work (createModelDownloader, download()) where its stray rejections cannot end the process. */
export function runIpull<T>(work: () => Promise<T>): Promise<T> {
  install();
  return inIpull.run(true, work);
}
