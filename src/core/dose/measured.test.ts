import { describe, expect, it } from 'vitest';
import { MeasuredDoseError, parseMeasuredDoses } from './measured';

const head = 'structure,mean_dose_gy,administered_activity_gbq,cycle,method';

describe('measured-dose CSV', () => {
  it('reads Gy or mGy from the header, maps names to the vocabulary and gives Gy/GBq', () => {
    const gy = parseMeasuredDoses(`${head}\nkidney l,3.7,7.4,1,SPECT/CT 3 time points\nT1,30,7.4,1,SPECT/CT\n`);
    expect(gy.doses.map((d) => [d.structure, d.gyPerGBq])).toEqual([['Kidney L', 0.5], ['T1', 30 / 7.4]]);
    expect(gy.warnings).toEqual([]);
    const mgy = parseMeasuredDoses('structure,mean_dose_mgy,administered_activity_gbq,cycle,method\nParotid R,2960,7.4,1,hybrid\n');
    expect(mgy.doses[0].meanDoseGy).toBeCloseTo(2.96, 12);
    expect(mgy.doses[0].gyPerGBq).toBeCloseTo(0.4, 12);
  });
  it('warns for a cycle other than 1 and for a Gy column that looks like mGy', () => {
    const r = parseMeasuredDoses(`${head}\nKidney L,3.7,7.4,3,SPECT\nKidney R,3700,7.4,1,SPECT\n`, 'm.csv');
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings.find((w) => w.includes('cycle'))).toMatch(/^m\.csv: row 2: Kidney L was measured after cycle 3/);
    expect(r.warnings.find((w) => w.includes('mGy'))).toMatch(/row 3: Kidney R 3700 Gy for 7.4 GBq is 500 Gy\/GBq; was the dose in mGy/);
  });
  it('refuses missing columns, both units, unknown names, repeats and bad numbers with the row and the value', () => {
    const bad = (text: string, why: RegExp) => expect(() => parseMeasuredDoses(text, 'm.csv')).toThrow(why);
    bad('structure,dose,cycle\nKidney L,1,1\n', /m\.csv: column\(s\) mean_dose_gy or mean_dose_mgy, administered_activity_gbq, method missing \(found structure, dose, cycle\)/);
    bad('structure,mean_dose_gy,mean_dose_mgy,administered_activity_gbq,cycle,method\nKidney L,1,1000,7,1,x\n', /both mean_dose_gy and mean_dose_mgy/);
    bad(`${head}\nKidney L,3,7.4,1,x\nLiver,3,7.4,1,x\nBrain stem,1,7.4,1,x\n`, /m\.csv: row 3: structure "Liver", row 4: structure "Brain stem" are not structure names of the vocabulary/);
    bad(`${head}\nKidney L,3,7.4,1,x\nKidney_L,3,7.4,1,x\n`, /row 3: Kidney L is given twice \(rows 2 and 3\)/);
    bad(`${head}\nKidney L,3,7400,1,x\n`, /row 2: administered_activity_gbq is "7400"; .*MBq\? divide by 1000/);
    bad(`${head}\nKidney L,,7.4,1,x\n`, /row 2: mean_dose_gy is ""/);
    bad(`${head}\nKidney L,3,7.4,1.5,x\n`, /row 2: cycle is "1.5"; expected the cycle as a whole number/);
    bad(`${head}\n`, /m\.csv: no data rows/);
    expect(() => parseMeasuredDoses('a;b\n1;2\n')).toThrow(MeasuredDoseError);
  });
});
