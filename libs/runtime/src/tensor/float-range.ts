/**
 * The smallest magnitude that float32 rounds to ±Infinity: halfway between its largest
 * finite value (3.4028234663852886e38) and 2^128, where a tie rounds to the even 2^128.
 */
export const FLOAT32_OVERFLOW = 3.4028235677973366e38;

/**
 * True for a finite number that becomes ±Infinity as float32 (|x| beyond ~3.4028235e38).
 * NaN and the infinities themselves are not overflows: they are what the caller wrote.
 */
export function overflowsFloat32(x: number): boolean {
  return Number.isFinite(x) && !Number.isFinite(Math.fround(x));
}
