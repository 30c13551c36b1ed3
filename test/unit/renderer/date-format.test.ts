import { describe, expect, it } from 'vitest';
import { formatListDate, formatMessageTime } from '../../../renderer/src/i18n/format.ts';

// Local times: the formatters follow the computer's time zone, whatever it is.
const now = new Date(2026, 2, 12, 18, 0);
const todayAt = new Date(2026, 2, 12, 14, 5).getTime();
const justAfterMidnight = new Date(2026, 2, 12, 0, 1).getTime();
const lateYesterday = new Date(2026, 2, 11, 23, 59).getTime();
const earlierThisYear = new Date(2026, 2, 3, 9, 7).getTime();
const lastYear = new Date(2025, 11, 24, 9, 7).getTime();

describe('formatListDate (the sidebar)', () => {
  it('shows the time for today and the day otherwise, in English', () => {
    expect(formatListDate('en', todayAt, now)).toBe('2:05 PM');
    expect(formatListDate('en', justAfterMidnight, now)).toBe('12:01 AM');
    expect(formatListDate('en', lateYesterday, now)).toBe('Mar 11');
    expect(formatListDate('en', earlierThisYear, now)).toBe('Mar 3');
    expect(formatListDate('en', lastYear, now)).toBe('Dec 24, 2025');
  });

  it('in French: 24-hour time, day before month', () => {
    expect(formatListDate('fr', todayAt, now)).toBe('14:05');
    expect(formatListDate('fr', justAfterMidnight, now)).toBe('00:01');
    expect(formatListDate('fr', lateYesterday, now)).toBe('11 mars');
    expect(formatListDate('fr', lastYear, now)).toBe('24 déc. 2025');
  });
});

describe('formatMessageTime (a message)', () => {
  it('shows the time for today, the date and time otherwise', () => {
    expect(formatMessageTime('en', todayAt, now)).toBe('2:05 PM');
    expect(formatMessageTime('en', earlierThisYear, now)).toBe('Mar 3, 2026, 9:07 AM');
    expect(formatMessageTime('fr', todayAt, now)).toBe('14:05');
    expect(formatMessageTime('fr', earlierThisYear, now)).toBe('3 mars 2026, 09:07');
  });
});
