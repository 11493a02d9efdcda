import { describe, expect, it } from 'vitest';
import { barIndexAt, hasSessionGaps, indexToTime, ordinalTickLabel, ordinalTicks, timeToIndex } from '../../../src/renderer/src/lib/collapse-gaps';

const H = 3600;
const D = 86400;
// Hourly bars, 2024-01-05 (Friday) 20:00..23:00 UTC, then Monday 2024-01-08 00:00..03:00: a weekend gap.
const fri = Date.UTC(2024, 0, 5, 20) / 1000;
const mon = Date.UTC(2024, 0, 8, 0) / 1000;
const time = [fri, fri + H, fri + 2 * H, fri + 3 * H, mon, mon + H, mon + 2 * H, mon + 3 * H];
const friLast = 3;
const monFirst = 4;

describe('collapse non-trading time', () => {
  it('detects session gaps, not a regular series', () => {
    expect(hasSessionGaps(time)).toBe(true);
    expect(hasSessionGaps([0, H, 2 * H, 3 * H, 4 * H])).toBe(false);
    expect(hasSessionGaps([0, H])).toBe(false);
  });

  it('a weekend gap collapses: Monday first bar is Friday last bar + 1', () => {
    expect(timeToIndex(time, time[friLast])).toBe(friLast);
    expect(timeToIndex(time, time[monFirst])).toBe(monFirst);
    expect(timeToIndex(time, time[monFirst]) - timeToIndex(time, time[friLast])).toBe(1);
    // Saturday noon (inside the gap) takes no space: it maps onto Monday's first bar.
    expect(timeToIndex(time, Date.UTC(2024, 0, 6, 12) / 1000)).toBe(monFirst);
    // Half-way through a bar is half an index; outside the series clamps.
    expect(timeToIndex(time, fri + H / 2)).toBeCloseTo(0.5, 12);
    expect(timeToIndex(time, fri - D)).toBe(0);
    expect(timeToIndex(time, mon + 10 * D)).toBe(time.length - 1);
  });

  it('index → time is the inverse inside bars', () => {
    for (let i = 0; i < time.length; i++) expect(indexToTime(time, i)).toBe(time[i]);
    expect(indexToTime(time, 5.25)).toBe(mon + H + H / 4);
    expect(indexToTime(time, 3.5)).toBe(fri + 3 * H + H / 2); // Friday's last bar, half-way (not mid-weekend)
    for (const x of [0.5, 2.75, 5.5]) expect(timeToIndex(time, indexToTime(time, x))).toBeCloseTo(x, 12);
  });

  it('trade markers map to the bar they fall in', () => {
    expect(barIndexAt(time, fri + 2 * H)).toBe(2); // on a bar's open
    expect(barIndexAt(time, fri + 2 * H + 1800)).toBe(2); // mid-bar
    expect(barIndexAt(time, mon + 3 * H + 60)).toBe(7); // inside the last bar
    expect(barIndexAt(time, Date.UTC(2024, 0, 6, 12) / 1000)).toBe(friLast); // weekend fill → Friday's last bar
    expect(barIndexAt(time, fri - H)).toBe(0);
    expect(barIndexAt([], 5)).toBe(0);
  });

  it('ticks sit on whole bars and are labelled with the bars real times', () => {
    expect(ordinalTicks(time.length, 0, 7, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ordinalTicks(time.length, 0, 7, 4)).toEqual([0, 2, 4, 6]);
    expect(ordinalTicks(time.length, 0.5, 6.2, 3)).toEqual([2, 4, 6]);
    expect(ordinalTicks(1000, 0, 999, 5)).toEqual([0, 200, 400, 600, 800]);
    expect(ordinalTicks(time.length, -3, -1, 4)).toEqual([]);
    const span = time[7] - time[0];
    expect(ordinalTickLabel(time, friLast, span)).toBe('2024-01-05 23:00');
    expect(ordinalTickLabel(time, monFirst, span)).toBe('2024-01-08 00:00');
    expect(ordinalTickLabel(time, monFirst, 4 * H)).toBe('00:00');
    expect(ordinalTickLabel(time, monFirst, 365 * D)).toBe('2024-01-08');
    expect(ordinalTickLabel([Date.UTC(2024, 0, 5) / 1000, Date.UTC(2024, 0, 8) / 1000, Date.UTC(2024, 0, 9) / 1000], 1, 4 * D)).toBe('2024-01-08');
    expect(ordinalTickLabel(time, 99, span)).toBe('');
  });
});
