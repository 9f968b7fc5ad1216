// Physiological and procedural ranges in one table: a value outside `refuse` is not used (the user is asked
// for the right one); outside `warn` it is used with a visible warning. Used by SUV and the dose inputs.

export interface PlausibleRange {
  label: string;
  unit: string;
  refuse: [number, number];
  warn: [number, number];
  source: string;
}

export const RANGES = {
  weightKg: {
    label: 'Patient weight', unit: 'kg', refuse: [20, 350], warn: [40, 180],
    source: 'assumption: adult patients; PET/CT tables carry up to 200–300 kg',
  },
  heightCm: {
    label: 'Patient height', unit: 'cm', refuse: [100, 250], warn: [145, 210],
    source: 'assumption: adult men',
  },
  uptakeMin: {
    label: 'Uptake time (injection to scan)', unit: 'min', refuse: [1, 360], warn: [40, 180],
    source: 'EANM/SNMMI PSMA PET guideline (Fendler 2017 v1.0; 2023 v2.0): 68Ga-PSMA-11 at 60 min (50–100 min), 18F ligands 60–120 min',
  },
} satisfies Record<string, PlausibleRange>;

/** Injected PET activity (MBq) by nuclide. */
export const INJECTED_MBQ: Record<string, PlausibleRange> = {
  '68Ga': {
    label: 'Injected 68Ga activity', unit: 'MBq', refuse: [5, 1000], warn: [50, 350],
    source: 'EANM/SNMMI guideline (Fendler 2017): 68Ga-PSMA-11 1.8–2.2 MBq/kg',
  },
  '18F': {
    label: 'Injected 18F activity', unit: 'MBq', refuse: [5, 2000], warn: [100, 600],
    source: '18F-DCFPyL 333 MBq ± 10 % (prescribing information); 18F-PSMA-1007 about 4 MBq/kg (guideline 2023)',
  },
};

/** Nuclide of a PET radionuclide half-life in seconds (68Ga 4,062 s, 18F 6,586 s), within 2 %. */
export function nuclideOfHalfLife(seconds: number | undefined): string | undefined {
  if (!seconds) return undefined;
  return Object.entries({ '68Ga': 4062.6, '18F': 6586.2 }).find(([, t]) => Math.abs(seconds / t - 1) < 0.02)?.[0];
}

export type RangeCheck = { level: 'ok' } | { level: 'warn' | 'refuse'; message: string };

/** Checks a value; the message names the value, the range and its source. */
export function checkRange(r: PlausibleRange, value: number, what = r.label): RangeCheck {
  const fmt = (v: number) => String(+v.toPrecision(4));
  if (!Number.isFinite(value)) return { level: 'refuse', message: `${what} is not a number` };
  if (value < r.refuse[0] || value > r.refuse[1]) {
    return { level: 'refuse', message: `${what} ${fmt(value)} ${r.unit} is outside the plausible ${r.refuse[0]}–${r.refuse[1]} ${r.unit}` };
  }
  if (value < r.warn[0] || value > r.warn[1]) {
    return { level: 'warn', message: `${what} ${fmt(value)} ${r.unit} is unusual (expected ${r.warn[0]}–${r.warn[1]} ${r.unit}; ${r.source})` };
  }
  return { level: 'ok' };
}
