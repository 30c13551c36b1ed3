/**
 * Numbers, sizes, durations and dates in the active language, with Intl (e.g. "12,5" and "14:05"
 * in French, "12.5" and "2:05 PM" in English). Dates are in the computer's time zone. No DOM here.
 */
const cache = new Map<string, Intl.NumberFormat>();
const dateCache = new Map<string, Intl.DateTimeFormat>();

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

/** 73 % (« 73 % » in French, with its narrow space). */
export function formatPercent(language: string, share: number): string {
  return numberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** One decimal below 100, none above: 12.5, 143. */
/** A setting's value as typed in the form: up to two decimals, in the interface language. */
export function formatNumber(language: string, value: number): string {
  return numberFormat(language, { maximumFractionDigits: 2 }).format(value);
}

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
  if (bytes >= 1e3) {
    return numberFormat(language, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(bytes / 1e3);
  }
  // A small file is not "0 kB": its bytes, spelled out ("512 octets", "1 byte").
  return numberFormat(language, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(bytes);
}

/** "a, b and c" ("a, b et c" in French). */
export function formatList(language: string, items: readonly string[]): string {
  return new Intl.ListFormat(language, { type: 'conjunction' }).format(items);
}

/** 7.6B (7,6 Md in French). */
export function formatCompact(language: string, value: number): string {
  return numberFormat(language, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

function dateFormat(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language}|${JSON.stringify(options)}`;
  let format = dateCache.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, options);
    dateCache.set(key, format);
  }
  return format;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

const TIME: Intl.DateTimeFormatOptions = { timeStyle: 'short' };

/** When a conversation was last active, for the sidebar: the time today (14:05), else the day (12 mars), with the year when it is not this one. */
export function formatListDate(language: string, at: number, now: Date): string {
  const date = new Date(at);
  if (sameDay(date, now)) return dateFormat(language, TIME).format(date);
  const year = date.getFullYear() === now.getFullYear() ? undefined : 'numeric';
  return dateFormat(language, { day: 'numeric', month: 'short', ...(year !== undefined && { year }) }).format(date);
}

/** When a message was written: the time today (14:05), else the date and time (12 mars 2026, 14:05). */
export function formatMessageTime(language: string, at: number, now: Date): string {
  const date = new Date(at);
  if (sameDay(date, now)) return dateFormat(language, TIME).format(date);
  return dateFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
