import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { IBSI_DIR, REPO_DIR } from '../../test-support/paths';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/features.ts', ...args], { cwd: REPO_DIR, encoding: 'utf8' });
const DP = `${IBSI_DIR}/ibsi_1_digital_phantom/nifti`;

describe('features CLI contract', () => {
  it('prints one JSON object with settings, diagnostics and IBSI-tagged features', () => {
    const r = cli('--image', `${DP}/image/phantom.nii.gz`, '--mask', `${DP}/mask/mask.nii.gz`, '--ibsi-config', 'DP');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['settings', 'diagnostics', 'features', 'warnings']));
    expect(j.features.morph_volume).toBeCloseTo(556, -1);
    expect(j.features.cm_joint_max_2D_avg).toBeCloseTo(0.519, 3);
    expect(j.diagnostics.int_mask_vox_count_reseg_roi).toBe(74);
  });
  it('RTSTRUCT masks on a DICOM series, by ROI name', () => {
    const r = cli('--image', `${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/dicom/image`, '--mask', `${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/dicom/mask/DCM_RS_00060.dcm`, '--label', 'GTV-1', '--ibsi-config', 'A');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).diagnostics.int_mask_vox_count_reseg_roi).toBe(114596);
  });
  it('bad input: non-zero exit and a message naming the problem', () => {
    const missing = cli('--image', `${DP}/image/phantom.nii.gz`, '--mask', `${DP}/mask/mask.nii.gz`, '--label', '7');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/label "7" does not exist/);
    const both = cli('--image', 'x', '--mask', 'y', '--ibsi-config', 'A', '--settings', 'z');
    expect(both.status).toBe(2);
    expect(cli('--image', `${DP}/image/phantom.nii.gz`).stderr).toMatch(/--mask is required/);
    const geom = cli('--image', `${IBSI_DIR}/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz`, '--mask', `${DP}/mask/mask.nii.gz`);
    expect(geom.status).not.toBe(0);
    expect(geom.stderr).toMatch(/geometries differ/);
  });
});
