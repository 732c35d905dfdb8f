/**
 * True for a finite number that becomes ±Infinity as float32 (|x| beyond ~3.4028235e38).
 * NaN and the infinities themselves are not overflows: they are what the caller wrote.
 */
export function overflowsFloat32(x: number): boolean {
  return Number.isFinite(x) && !Number.isFinite(Math.fround(x));
}
