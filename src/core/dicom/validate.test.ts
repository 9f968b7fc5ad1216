// Headers that would give silent wrong numbers or exhaust memory are refused with a message naming the file,
// the attribute and the value; odd but valid geometry (oblique planes) is read with its direction.
import { describe, expect, it } from 'vitest';
import { defaultPatientSpec, generatePatient } from '../phantom/generate';
import { writeCtSeries, writePtSeries } from '../phantom/dicom';
import { readDicomSeries } from './read';
import { checkVolumeSize, MAX_VOXELS } from './validate';
import { rewriteDicom, type Dataset } from '../../../test-support/dicomEdit';

const p = generatePatient(defaultPatientSpec(7, { lesions: 1, imaging: { ctSpacing: [8, 8, 8], petSpacing: [8, 8, 8], zBottomMm: 300, zTopMm: 400 } }));
const pt = () => writePtSeries(p).files;
const ct = () => writeCtSeries(p).files;
const z = (ds: Dataset) => Number(ds.ImagePositionPatient[2]);

describe('image headers are checked before they are trusted', () => {
  it('RescaleSlope 0, "NaN" or an unreadable intercept: refused, never replaced by 1', () => {
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds, k) => { if (k === 3) ds.RescaleSlope = '0'; }))).toThrow(/PT_0003\.dcm: RescaleSlope "0" cannot scale/);
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { ds.RescaleSlope = 'NaN'; }))).toThrow(/RescaleSlope ("NaN"|empty \(or not a number\)) cannot scale/);
    expect(() => readDicomSeries(rewriteDicom(ct(), (ds) => { ds.RescaleIntercept = 'abc'; }))).toThrow(/RescaleIntercept ("abc"|empty \(or not a number\)) is not a number/);
  });
  it('BitsAllocated that disagrees with the pixel data: refused with a hint', () => {
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; }))).toThrow(/pixel data is \d+ bytes, but .* BitsAllocated 8 need \d+ \(the data look like 16-bit pixels/);
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { ds.BitsAllocated = 12; }))).toThrow(/BitsAllocated "12" is not supported/);
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { ds.BitsStored = 20; }))).toThrow(/BitsStored "20" does not fit BitsAllocated 16/);
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { ds.SamplesPerPixel = 3; }))).toThrow(/only greyscale/);
  });
  it('a huge claimed size is refused before any allocation', () => {
    // 30000×30000 pixels claimed, 2 kB of pixel data given: refused by the header check alone.
    const bomb = rewriteDicom(pt().slice(0, 1), (ds) => { ds.Rows = 30000; ds.Columns = 30000; ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; ds.PixelData = [new ArrayBuffer(2048)]; });
    expect(() => readDicomSeries(bomb)).toThrow(/30000×30000 slice is larger than the 4096×4096/);
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { ds.Rows = 0; }))).toThrow(/Rows "0"/);
    expect(() => checkVolumeSize('CT', 512, 512, 3000)).toThrow(/786 M voxels is more than the 524 M/);
    expect(() => checkVolumeSize('CT', 512, 512, MAX_VOXELS / (512 * 512))).not.toThrow();
  });
  it('missing or non-positive PixelSpacing: refused, never taken as 1 mm', () => {
    expect(() => readDicomSeries(rewriteDicom(pt(), (ds) => { delete ds.PixelSpacing; }))).toThrow(/PixelSpacing absent: two positive numbers \(mm\) are needed/);
    expect(() => readDicomSeries(rewriteDicom(ct(), (ds) => { ds.PixelSpacing = [0, 8]; }))).toThrow(/PixelSpacing "0\\8"/);
    expect(() => readDicomSeries(rewriteDicom(ct(), (ds, k) => { if (k === 2) ds.PixelSpacing = [7, 7]; }))).toThrow(/CT_0002\.dcm has PixelSpacing 7\\7, others 8\\8/);
  });
  it('orientation: non-orthonormal refused; gantry tilt refused with the angle; oblique planes read with their direction', () => {
    expect(() => readDicomSeries(rewriteDicom(ct(), (ds) => { ds.ImageOrientationPatient = [1, 0, 0, 0.3, 1, 0]; }))).toThrow(/not two orthogonal unit vectors/);
    // Gantry tilt of 15°: each slice shifted in y by Δz·tan 15°, planes still axial.
    const tilted = rewriteDicom(ct(), (ds) => { const ipp = ds.ImagePositionPatient.map(Number); ipp[1] += (z(ds) - 300) * Math.tan((15 * Math.PI) / 180); ds.ImagePositionPatient = ipp; });
    expect(() => readDicomSeries(tilted)).toThrow(/sheared by 15\.0°.*gantry tilt/);
    // Oblique: planes rotated 30° about z, positions along the new normal (z): a valid volume with that direction.
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    const oblique = rewriteDicom(ct(), (ds) => { ds.ImageOrientationPatient = [c, s, 0, -s, c, 0]; });
    const { volume } = readDicomSeries(oblique);
    expect(volume.direction.slice(0, 6).map((v) => +v.toFixed(6))).toEqual([c, s, 0, -s, c, 0].map((v) => +v.toFixed(6)));
  });
  it('the phantom series still read exactly', () => {
    const { volume } = readDicomSeries(ct());
    expect(Array.from(volume.data)).toEqual(Array.from(p.ct.data));
  });
});
