/**
 * Text recognition (OCR) of images and scanned PDF pages, in French and English, on the machine:
 * tesseract.js runs its WebAssembly engine (tesseract.js-core, from node_modules) in a worker thread
 * of its own, started inside the extraction worker, so the host's limits on that worker (its time
 * per file; ending it ends the engine too) cover recognition. The language data comes from the
 * `@tesseract.js-data/fra` and `@tesseract.js-data/eng` packages, read from disk: nothing is
 * downloaded and nothing is cached on disk (`cacheMethod: 'none'`).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type Tesseract from 'tesseract.js';

// Not named `require`: the built bundle declares its own.
const resolvePackage = createRequire(import.meta.url);

/** The LSTM models (`4.0.0_best_int`), the ones tesseract.js itself picks for its default engine. */
function languageFile(code: 'fra' | 'eng'): string {
  return resolvePackage.resolve(`@tesseract.js-data/${code}/4.0.0_best_int/${code}.traineddata.gz`);
}

let engine: Promise<Tesseract.Worker> | null = null;

async function start(): Promise<Tesseract.Worker> {
  const { default: tesseract } = await import('tesseract.js');
  // tesseract.js reads every language from one `langPath`, and each package ships its own folder:
  // French is read from its folder, English is written into the engine's in-memory file system.
  // createWorker keeps the array it is given as its list of loaded languages, so adding 'eng' to
  // it tells `reinitialize` not to look for English under French's folder.
  const languages = ['fra'];
  const worker = await tesseract.createWorker(languages, tesseract.OEM.LSTM_ONLY, {
    langPath: dirname(languageFile('fra')),
    cacheMethod: 'none',
    gzip: true,
    // Without a handler, a failed job also throws from the engine's message listener, which would
    // end this thread; the job's promise is rejected either way.
    errorHandler: () => undefined,
  });
  try {
    await worker.FS('writeFile', ['eng.traineddata', gunzipSync(await readFile(languageFile('eng')))]);
    languages.push('eng');
    await worker.reinitialize('fra+eng');
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return worker;
}

/** The text of an encoded image (PNG, JPEG, WebP), lines kept, paragraphs separated by blank lines. */
export async function recognize(image: Buffer): Promise<string> {
  engine ??= start();
  let worker: Tesseract.Worker;
  try {
    worker = await engine;
  } catch (error) {
    engine = null;
    throw error;
  }
  return (await worker.recognize(image)).data.text;
}

/** Ends the engine (a process that read images in its main thread, such as a test, calls it). */
export async function closeOcr(): Promise<void> {
  const running = engine;
  engine = null;
  if (running !== null) await (await running.catch(() => null))?.terminate();
}

/** A decoded image (PDF.js's pixels: grey, RGB or RGBA), encoded as PNG for the engine. */
export function pngOf(image: { data: Uint8ClampedArray; width: number; height: number; channels: 1 | 3 | 4 }): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  const pixels = image.width * image.height;
  for (let pixel = 0; pixel < pixels; pixel++) {
    const from = pixel * image.channels;
    const to = pixel * 4;
    const grey = image.channels === 1;
    png.data[to] = image.data[from] ?? 0;
    png.data[to + 1] = image.data[grey ? from : from + 1] ?? 0;
    png.data[to + 2] = image.data[grey ? from : from + 2] ?? 0;
    png.data[to + 3] = image.channels === 4 ? (image.data[from + 3] ?? 255) : 255;
  }
  return PNG.sync.write(png);
}
