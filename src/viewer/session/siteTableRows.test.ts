import { describe, expect, it } from 'vitest';
import { parseSiteTable } from '../../core/csv';
import { checkImport, FEATURE_PROFILE, patientsOf, profileProblem, studyRows, tableCsv, TARGET, type SiteRow } from './siteTableRows';
import type { FeatureRow } from '../../core/dose/rows';

const feature = (name: string, type: string, extra: Record<string, number> = {}): FeatureRow => ({
  structure_id: name, type, name, site: type === 'tumour' ? 'bone' : '',
  suv_max: 10.123456789, suv_mean: 5, suv_peak: 7, volume_ml: 150, tlu: 750, ratio_liver: 1.2, ratio_kidney: 0.3, total_tumour_volume_ml: 40, total_tumour_uptake: 300,
  glcm_x: 0.5, morph_y: 3, ...extra,
});

function study(patientId: string, columns?: string[]) {
  return studyRows({
    patientId, tracer: '18F-DCFPyL', columns,
    rows: [feature('Kidney L', 'kidney'), feature('Kidney R', 'kidney'), feature('T1', 'tumour'), feature('Parotid L', 'parotid', { glcm_x: NaN })],
    skipped: [{ id: 'Lacrimal L', name: 'Lacrimal L', type: 'lacrimal', reason: 'no voxels in the label map' }],
    biomarkers: { weight_kg: '82', egfr_ml_min_1_73m2: 71.5, psa_ng_ml: '' },
    measured: new Map([['Kidney L', 0.41], ['Kidney R', 0.45], ['Parotid L', 0.5]]),
  });
}

describe('site table rows', () => {
  it('keys rows by the site key, keeps structures with a measured dose and lists the others with the reason', () => {
    const s = study('S0000abcd');
    // The first study sets the columns: glcm_x, not finite for Parotid L, is not one of them.
    expect(s.rows.map((r) => r.structure_id)).toEqual(['S0000abcd-Kidney L', 'S0000abcd-Kidney R', 'S0000abcd-Parotid L']);
    expect(s.leftOut).toEqual([
      { name: 'Lacrimal L', type: 'lacrimal', reason: 'no features: no voxels in the label map' },
      { name: 'T1', type: 'tumour', reason: 'no measured dose' },
    ]);
    expect(s.columns).not.toContain('glcm_x');
    expect(s.columns).toContain('morph_y');
    // In a table that has glcm_x, Parotid L is left out naming it.
    const again = study('S0000beef', [...s.columns.slice(0, 10), 'glcm_x', ...s.columns.slice(10)]);
    expect(again.leftOut.find((l) => l.name === 'Parotid L')?.reason).toMatch(/glcm_x not computed/);
    const r = s.rows[0];
    expect([r.patient_id, r.tracer, r.weight_kg, r.egfr_ml_min_1_73m2, r.psa_ng_ml, r[TARGET], r.feature_profile, r.suv_max]).toEqual(['S0000abcd', '18F-DCFPyL', '82', '71.5', '', '0.41', FEATURE_PROFILE, '10.123457']);
  });

  it('refuses to add a study to a table of another feature profile, naming both and what to do', () => {
    expect(profileProblem([])).toBeUndefined();
    expect(profileProblem([{ feature_profile: FEATURE_PROFILE }])).toBeUndefined();
    const p = profileProblem([{ feature_profile: FEATURE_PROFILE }, { feature_profile: 'clinical-PET-0badc0de' }]);
    expect(p).toContain('"clinical-PET-0badc0de"');
    expect(p).toContain(`this viewer computes "${FEATURE_PROFILE}"`);
    expect(p).toMatch(/Save the table as CSV/);
  });
  it('writes the CSV npm run train reads back to the same cells', () => {
    const s = study('S0000abcd');
    const back = parseSiteTable(tableCsv(s.columns, s.rows)).rows;
    expect(back).toEqual(s.rows);
    expect(Object.keys(back[0])).toEqual(s.columns);
    expect(patientsOf(s.rows)).toEqual([{ id: 'S0000abcd', rows: 3, types: ['kidney', 'parotid'] }]);
  });
});

describe('site table import', () => {
  const a = study('S0000000a'), b = study('S0000000b');
  const table = { columns: a.columns, rows: a.rows };
  const csv = (rows: SiteRow[], columns = a.columns) => tableCsv(columns, rows);

  it('adds new keys and merges rows already there with the same values', () => {
    const r = checkImport(csv([...a.rows, ...b.rows]), 'x.csv', table);
    expect(r).toMatchObject({ ok: true, duplicates: 3 });
    if (r.ok) expect(r.added.map((x) => x.structure_id)).toEqual(['S0000000b-Kidney L', 'S0000000b-Kidney R', 'S0000000b-Parotid L']);
  });

  it('refuses a key already there with other values, naming it', () => {
    const changed = a.rows.map((r, n) => (n === 1 ? { ...r, [TARGET]: '0.9' } : r));
    const r = checkImport(csv(changed), 'x.csv', table);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/S0000000a \/ S0000000a-Kidney R \(measured_dose_gy_per_gbq differ\).*Nothing was imported/);
  });

  it("refuses another model's inputs naming the missing and extra columns", () => {
    const other = 'patient_id,structure_id,type,suv_mean,volume_ml,mass_g,measured_dose_gy_per_gbq\nP1,P1-Kidney L,kidney,5,150,160,0.4\n';
    const r = checkImport(other, 'other.csv', table);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/missing column\(s\) name, site, tracer, suv_max, .*feature_profile; column\(s\) mass_g that the site table does not have/);
    // Into an empty table too: without the viewer's columns it is refused.
    const e = checkImport(other, 'other.csv', { rows: [] });
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.problem).toMatch(/missing column\(s\) name, site, tracer, suv_max/);
  });

  it('refuses rows of other feature settings and rows without a measured dose', () => {
    const r = checkImport(csv([{ ...b.rows[0], feature_profile: 'IBSI-A-1234' }, { ...b.rows[1], [TARGET]: '' }]), 'x.csv', table);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/row 2: feature_profile is "IBSI-A-1234".*row 3: measured_dose_gy_per_gbq is ""/);
  });
});
