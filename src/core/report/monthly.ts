// Monthly returns from an equity curve: a month's return is its last equity ÷ the previous month's
// last equity (the initial capital for the first month) − 1, months in UTC.

export interface MonthlyReturn {
  year: number;
  /** 1..12 */
  month: number;
  return: number;
}

export function monthlyReturns(time: ArrayLike<number>, values: ArrayLike<number>, initial: number): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  let prev = initial;
  for (let i = 0; i < time.length; i++) {
    const d = new Date(time[i]);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + 1;
    const lastOfMonth = i + 1 === time.length || new Date(time[i + 1]).getUTCMonth() + 1 !== m || new Date(time[i + 1]).getUTCFullYear() !== y;
    if (!lastOfMonth) continue;
    out.push({ year: y, month: m, return: prev > 0 ? values[i] / prev - 1 : 0 });
    prev = values[i];
  }
  return out;
}

/** Compounded return of each year present in the monthly returns. */
export function yearlyFromMonthly(months: readonly MonthlyReturn[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of months) out.set(m.year, (1 + (out.get(m.year) ?? 0)) * (1 + m.return) - 1);
  return out;
}
