/**
 * Numbers, sizes and durations in the active language, with Intl (e.g. "12,5" in French).
 * No DOM here.
 */
const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(language: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${language}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(language, options);
    cache.set(key, format);
  }
  return format;
}

export function formatInteger(language: string, value: number): string {
  return numberFormat(language, { maximumFractionDigits: 0 }).format(value);
}

/** One decimal below 100, none above: 12.5, 143. */
export function formatRate(language: string, value: number): string {
  const digits = Math.abs(value) < 100 ? 1 : 0;
  return numberFormat(language, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** 350 ms, 1.4 s, 12 s, 2 min 5 s. */
export function formatDuration(language: string, ms: number): string {
  if (ms < 1_000) {
    return numberFormat(language, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 }).format(ms);
  }
  if (ms < 60_000) {
    const seconds = ms / 1_000;
    return numberFormat(language, {
      style: 'unit',
      unit: 'second',
      maximumFractionDigits: seconds < 10 ? 1 : 0,
    }).format(seconds);
  }
  const totalSeconds = Math.round(ms / 1_000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  const m = numberFormat(language, { style: 'unit', unit: 'minute' }).format(minutes);
  if (seconds === 0) return m;
  return `${m} ${numberFormat(language, { style: 'unit', unit: 'second' }).format(seconds)}`;
}

/** 4.7 GB (4,7 Go in French), 640 MB. Decimal units, as model hubs show them. */
export function formatBytes(language: string, bytes: number): string {
  if (bytes >= 1e9) {
    return numberFormat(language, { style: 'unit', unit: 'gigabyte', maximumFractionDigits: 1 }).format(bytes / 1e9);
  }
  if (bytes >= 1e6) {
    return numberFormat(language, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 0 }).format(bytes / 1e6);
  }
  return numberFormat(language, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(bytes / 1e3);
}

/** 7.6B (7,6 Md in French). */
export function formatCompact(language: string, value: number): string {
  return numberFormat(language, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}
