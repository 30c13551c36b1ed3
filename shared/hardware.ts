/** Hardware fit (model library): this machine's memory, and what each catalog file needs. */
import type { ErrorPayload } from './errors.ts';
import type { EngineBuild, GpuBackend } from './models.ts';

export interface HardwareInfo {
  backend: GpuBackend;
  engineBuild: EngineBuild;
  gpuNames: string[];
  totalRamBytes: number;
  freeRamBytes: number;
  /** 0 without a GPU. */
  totalVramBytes: number;
  freeVramBytes: number;
  /** Apple silicon and other shared-memory GPUs: VRAM that is also RAM. */
  unifiedMemoryBytes: number;
  cpuCores: number;
}

/** A fit that failed because no model host could be reached (offline mode, no network): it says nothing about the model. */
export function isHostUnreachable(fit: Pick<CatalogFit, 'error'>): boolean {
  return fit.error?.code === 'OFFLINE' || fit.error?.code === 'NETWORK_UNREACHABLE';
}

/** Memory a model needs beyond its file, as the engine pool counts it. */
export const MODEL_MEMORY_MARGIN_BYTES = 512 * 1024 * 1024;

/** What is known without the header (offline, no network): the file and a margin in free RAM and VRAM. */
export function fitsBySize(sizeBytes: number, hardware: Pick<HardwareInfo, 'freeRamBytes' | 'freeVramBytes'>): boolean {
  return sizeBytes + MODEL_MEMORY_MARGIN_BYTES <= hardware.freeRamBytes + hardware.freeVramBytes;
}

export const FIT_BADGES = ['gpu', 'partial-gpu', 'cpu', 'too-large'] as const;
export type FitBadge = (typeof FIT_BADGES)[number];

/** One catalog file scored for this machine from its GGUF header (read over HTTP ranges). */
export interface ModelFit {
  catalogId: string;
  quant: string;
  badge: FitBadge;
  /** The context the estimate is for: 4096 tokens, or the model's own when smaller. */
  contextSize: number;
  gpuLayers: number;
  totalLayers: number;
  ramBytes: number;
  vramBytes: number;
  /** The one quant suggested for this model on this machine. */
  recommended: boolean;
}

/** The fit of one catalog model: every quant scored, or why it could not be. */
export interface CatalogFit {
  catalogId: string;
  quants: ModelFit[];
  error: ErrorPayload | null;
}

/** Useful context for a chat: long enough for a few exchanges with a document pasted in. */
export const FIT_CONTEXT_TOKENS = 4096;

const BADGE_RANK: Record<FitBadge, number> = { gpu: 3, 'partial-gpu': 2, cpu: 1, 'too-large': 0 };

/**
 * The badge from node-llama-cpp's resolved configuration: too large when no configuration fits
 * the memory, else by how many layers it could offload to the GPU.
 */
export function fitBadge(score: { compatibilityScore: number; gpuLayers: number; totalLayers: number; backend: GpuBackend }): FitBadge {
  if (score.compatibilityScore <= 0) return 'too-large';
  if (score.backend === 'cpu' || score.gpuLayers === 0) return 'cpu';
  return score.gpuLayers >= score.totalLayers ? 'gpu' : 'partial-gpu';
}

/**
 * The quant to suggest: the best badge any quant gets; among those, the model's default quant
 * when it is one of them, else the largest (the closest to the original weights).
 */
export function recommendedQuant(fits: readonly Pick<ModelFit, 'quant' | 'badge' | 'ramBytes' | 'vramBytes'>[], defaultQuant: string): string | null {
  const best = Math.max(0, ...fits.map((fit) => BADGE_RANK[fit.badge]));
  if (best === 0) return null;
  const candidates = fits.filter((fit) => BADGE_RANK[fit.badge] === best);
  if (candidates.some((fit) => fit.quant === defaultQuant)) return defaultQuant;
  return candidates.reduce((largest, fit) => (fit.ramBytes + fit.vramBytes > largest.ramBytes + largest.vramBytes ? fit : largest)).quant;
}

/** On the CPU, beyond this size answers come too slowly for a chat. */
const CPU_COMFORT_PARAMETERS_B = 4;

/**
 * The one model to suggest on first run: the best badge, then (on the CPU) nothing slower than a
 * chat can bear, then one that speaks the user's language, then the largest, which answers best;
 * on a tie the catalog's order, newest first, decides.
 */
export function recommendModel(
  catalog: readonly { id: string; parametersB: number; languages: readonly string[] }[],
  fits: Readonly<Record<string, CatalogFit>>,
  language: string,
): { catalogId: string; quant: string; badge: FitBadge } | null {
  const spoken = language.slice(0, 2).toLowerCase();
  let best: { catalogId: string; quant: string; badge: FitBadge; rank: number } | null = null;
  for (const model of catalog) {
    const fit = fits[model.id]?.quants.find((quant) => quant.recommended);
    if (fit === undefined) continue;
    const comfortable = fit.badge !== 'cpu' || model.parametersB <= CPU_COMFORT_PARAMETERS_B;
    const speaks = model.languages.includes(spoken);
    const rank = BADGE_RANK[fit.badge] * 10_000 + (comfortable ? 1_000 : 0) + (speaks ? 500 : 0) + (comfortable ? model.parametersB : -model.parametersB);
    if (best === null || rank > best.rank) best = { catalogId: model.id, quant: fit.quant, badge: fit.badge, rank };
  }
  return best === null ? null : { catalogId: best.catalogId, quant: best.quant, badge: best.badge };
}
