/**
 * Hardware fit (model library): what each catalog file needs on this machine, before it
 * is downloaded. The GGUF header is read over HTTP ranges by node-llama-cpp's `readGgufFileInfo`
 * (only the header's bytes, through the egress gate, only when the user asks), then the engine
 * process scores it against its own view of RAM and VRAM (`GgufInsights`).
 */
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import type { CatalogEntry } from '#shared/catalog.ts';
import { EnclaveError, toErrorPayload } from '#shared/errors.ts';
import { FIT_CONTEXT_TOKENS, fitBadge, recommendedQuant, type CatalogFit, type HardwareInfo, type ModelFit } from '#shared/hardware.ts';
import type { EngineClient } from '../../engine/client/engine-client.ts';
import type { FitEstimate } from '../../engine/protocol.ts';
import type { EgressGate } from '../privacy/egress.ts';
import { HEADER_IGNORED_KEYS } from './gguf/files.ts';
import { networkUnreachableError } from './network-unreachable.ts';

/** A header read that gets no answer ends (and its egress entry with it) instead of holding on for minutes. */
const HEADER_READ_TIMEOUT_MS = 30_000;

export interface ModelFitOptions {
  engine: Pick<EngineClient, 'hardware' | 'estimateFit'>;
  gate: Pick<EgressGate, 'authorize'>;
  /** The Hugging Face endpoint, without a trailing slash. */
  endpoint: () => string;
  catalog: readonly CatalogEntry[];
}

export class ModelFitService {
  private readonly options: ModelFitOptions;
  /**
   * GGUF headers by URL, for the session: a file's header does not change, so "check again" reads
   * nothing from the network; the fit itself is computed anew each time, as free memory changes.
   */
  private readonly headers = new Map<string, GgufFileInfo>();

  constructor(options: ModelFitOptions) {
    this.options = options;
  }

  hardware(): Promise<HardwareInfo> {
    return this.options.engine.hardware();
  }

  /** Scores every quant of these catalog models; a model whose header cannot be read carries the error. */
  async fit(catalogIds: readonly string[]): Promise<CatalogFit[]> {
    const hardware = await this.options.engine.hardware();
    const results: CatalogFit[] = [];
    for (const catalogId of catalogIds) {
      const entry = this.options.catalog.find((model) => model.id === catalogId);
      if (entry === undefined) throw new EnclaveError('NOT_FOUND', `no catalog model ${JSON.stringify(catalogId)}`, { catalogId });
      try {
        const quants: ModelFit[] = [];
        for (const file of entry.files) {
          const { compatibilityScore, ...estimate } = await this.estimate(`${this.options.endpoint()}/${entry.repo}/resolve/main/${file.file.split('/').map(encodeURIComponent).join('/')}`);
          const badge = fitBadge({ compatibilityScore, gpuLayers: estimate.gpuLayers, totalLayers: estimate.totalLayers, backend: hardware.backend });
          quants.push({ catalogId, quant: file.quant, badge, ...estimate, recommended: false });
        }
        const recommended = recommendedQuant(quants, entry.defaultQuant);
        results.push({ catalogId, quants: quants.map((fit) => ({ ...fit, recommended: fit.quant === recommended })), error: null });
      } catch (error) {
        results.push({ catalogId, quants: [], error: toErrorPayload(error) });
      }
    }
    return results;
  }

  private async estimate(url: string): Promise<FitEstimate> {
    return this.options.engine.estimateFit(await this.header(url), FIT_CONTEXT_TOKENS);
  }

  private async header(url: string): Promise<GgufFileInfo> {
    const cached = this.headers.get(url);
    if (cached !== undefined) return cached;
    const handle = this.options.gate.authorize({ url, purpose: 'model-metadata', userInitiated: true });
    let info;
    try {
      info = await readGgufFileInfo(url, {
        sourceType: 'network',
        ignoreKeys: HEADER_IGNORED_KEYS,
        logWarnings: false,
        fetchRetryOptions: { retries: 2, minTimeout: 200, maxTimeout: 1_000 },
        signal: AbortSignal.timeout(HEADER_READ_TIMEOUT_MS),
        endpoints: { huggingFace: `${this.options.endpoint()}/` },
      });
      handle.finish('completed', 'GGUF header');
    } catch (error) {
      handle.finish('failed', error instanceof Error ? error.message : String(error));
      throw networkUnreachableError(error, url) ?? new EnclaveError('DOWNLOAD_FAILED', `could not read the GGUF header of ${url}`, { cause: error instanceof Error ? error.message : String(error) });
    }
    this.headers.set(url, info);
    return info;
  }
}
