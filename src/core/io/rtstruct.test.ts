import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { IBSI_DIR } from '../../testing/paths';
import { readNifti } from './nifti';
import { readRtstruct, rasteriseRoi, findRoi, RtstructError } from './rtstruct';

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
