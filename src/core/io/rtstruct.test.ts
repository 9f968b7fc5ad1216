import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IBSI_DIR } from '../../../test-support/paths';
import { readNifti } from './nifti';
import { readRtstruct, rasteriseRoi, findRoi, RtstructError, writeRtstruct } from './rtstruct';

describe('RTSTRUCT rasterisation', () => {
  it("the CT phantom's GTV-1 matches its NIfTI mask voxel count within 0.5 %", () => {
    const nifti = readNifti(readFileSync(`${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/nifti/mask/mask.nii.gz`));
    const rt = readRtstruct(readFileSync(`${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/dicom/mask/DCM_RS_00060.dcm`).buffer as ArrayBuffer);
    const roi = findRoi(rt.rois, 'GTV-1');
    const { mask, warnings } = rasteriseRoi(roi, nifti);
    expect(warnings).toEqual([]);
    let ours = 0, ref = 0, both = 0;
    for (let n = 0; n < mask.length; n++) { ours += mask[n]; ref += nifti.data[n] ? 1 : 0; if (mask[n] && nifti.data[n]) both++; }
    expect(ref).toBe(125256);
    expect(Math.abs(ours - ref) / ref).toBeLessThan(0.005);
    const dice = (2 * both) / (ours + ref);
    expect(dice).toBeGreaterThan(0.99);
    console.log(`RTSTRUCT GTV-1: ${ours} voxels vs NIfTI ${ref} (${(((ours - ref) / ref) * 100).toFixed(2)} %), Dice ${dice.toFixed(4)}`);
  });
  it('names a missing ROI and a non-RTSTRUCT file', () => {
    const rt = readRtstruct(readFileSync(`${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/dicom/mask/DCM_RS_00060.dcm`).buffer as ArrayBuffer);
    expect(() => findRoi(rt.rois, 'Kidney L')).toThrow(/not in the RTSTRUCT/);
    expect(() => readRtstruct(readFileSync(`${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/dicom/image/DCM_IMG_00000.dcm`).buffer as ArrayBuffer)).toThrow(RtstructError);
  });
});

describe('RTSTRUCT writing', () => {
  it('label map → RTSTRUCT → rasterised again gives the same voxels (phantom truth, every structure)', async () => {
    const { defaultPatientSpec, generatePatient } = await import('../phantom/generate');
    const { structureByLabel } = await import('../vocabulary');
    const p = generatePatient(defaultPatientSpec(4, { imaging: { ctSpacing: [6, 6, 6] } }));
    const present = [...new Set(p.labels.data)].filter((l) => l > 0).sort((a, b) => a - b);
    const rois = present.map((label) => { const d = structureByLabel(label)!; return { label, name: d.name, color: d.color, interpretedType: d.type === 'tumour' ? 'GTV' : 'ORGAN' }; });
    const uids = Array.from({ length: p.labels.dims[2] }, (_, k) => `1.2.3.${k + 1}`);
    const buf = writeRtstruct(p.labels, { studyUid: '1.2.3', seriesUid: '1.2.3.0', frameOfReferenceUid: '1.2.3.9', sopClassUid: '1.2.840.10008.5.1.4.1.1.128', instanceUids: uids, patientName: 'X', patientId: 'X' }, rois);
    const rt = readRtstruct(buf);
    expect(rt.referencedSeriesUid).toBe('1.2.3.0');
    expect(rt.rois.map((r) => r.name)).toEqual(rois.map((r) => r.name));
    let total = 0, differing = 0;
    for (const r of rois) {
      const { mask, warnings } = rasteriseRoi(findRoi(rt.rois, r.name), p.labels);
      expect(warnings).toEqual([]);
      for (let n = 0; n < mask.length; n++) {
        const truth = p.labels.data[n] === r.label ? 1 : 0;
        total += truth;
        if (mask[n] !== truth) differing++;
      }
    }
    // Debian's pydicom reads it: ROI names and contour counts agree.
    const dir = mkdtempSync(join(tmpdir(), 'rt-'));
    writeFileSync(join(dir, 'rt.dcm'), new Uint8Array(buf));
    const out = execFileSync('/usr/bin/python3', ['-c', 'import sys,pydicom; d=pydicom.dcmread(sys.argv[1]); print(d.Modality, len(d.StructureSetROISequence), sum(len(r.ContourSequence) for r in d.ROIContourSequence))', join(dir, 'rt.dcm')], { encoding: 'utf8' }).trim();
    expect(out).toBe(`RTSTRUCT ${rois.length} ${rt.rois.reduce((s, r) => s + r.contours.length, 0)}`);
    console.log(`RTSTRUCT round trip: ${rois.length} ROIs, ${total} voxels, ${differing} differ`);
    expect(differing).toBe(0);
  }, 60_000);
});

describe('RTSTRUCT bad input', () => {
  it('open and degenerate contours are skipped with a warning naming the ROI; closed ones are kept', () => {
    const grid = { dims: [10, 10, 3] as [number, number, number], spacing: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number] };
    const square = [2, 2, 1, 6, 2, 1, 6, 6, 1, 2, 6, 1];
    const { mask, warnings } = rasteriseRoi({ number: 1, name: 'Kidney L', contours: [
      { type: 'OPEN_PLANAR', points: square }, { type: 'CLOSED_PLANAR', points: [1, 1, 1, 2, 2, 1] }, { type: 'CLOSED_PLANAR', points: square },
    ] }, grid);
    expect(warnings.length).toBe(2);
    expect(warnings[0]).toMatch(/Kidney L: OPEN_PLANAR contour skipped/);
    expect(warnings[1]).toMatch(/2 points/);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(20); // centres on the top edge are outside (half-open rows)
  });
});
