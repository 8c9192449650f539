// Python's format(x, '.Nf') rounds the exact binary value half-to-even; JavaScript's toFixed rounds
// exact ties away from zero (0.125 -> '0.13' where Python prints '0.12'). Reports must match sklearn's text.

/** Formats like Python's `format(value, '.{digits}f')`. */
export function formatFixed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (Math.abs(value) >= 1e21) return value.toFixed(digits);
  const exact = value.toFixed(100);
  const point = exact.indexOf('.');
  const tail = exact.slice(point + 1 + digits);
  const isTie = tail[0] === '5' && /^0*$/.test(tail.slice(1));
  if (!isTie) return value.toFixed(digits);
  // An exact tie: keep the even last digit.
  const truncated = exact.slice(0, digits === 0 ? point : point + 1 + digits);
  const lastDigit = Number(truncated[truncated.length - 1]);
  if (lastDigit % 2 === 0) return truncated;
  return value.toFixed(digits);
}
