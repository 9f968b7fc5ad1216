/** A number with `d` decimals, or an em dash when it is missing or not finite. */
export const fmt = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
