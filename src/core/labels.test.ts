import { describe, expect, it } from 'vitest';
import { formatDicomDate, formatPersonName, petUnitLabel } from './labels';

describe('labels', () => {
  it('PET units follow the series Units code', () => {
    expect(petUnitLabel('BQML')).toBe('Bq/mL');
    expect(petUnitLabel('GML')).toBe('g/mL (SUVbw)');
    expect(petUnitLabel('CNTS')).toBe('counts');
    expect(petUnitLabel('')).toBe('stored value');
    expect(petUnitLabel('XYZ')).toBe('XYZ');
  });
  it('DICOM dates become YYYY-MM-DD; other text stays', () => {
    expect(formatDicomDate('19600116')).toBe('1960-01-16');
    expect(formatDicomDate('1960.01.16')).toBe('1960-01-16');
    expect(formatDicomDate('')).toBe('');
    expect(formatDicomDate(undefined)).toBe('');
    expect(formatDicomDate('unknown')).toBe('unknown');
  });
  it('person names read Family, Given', () => {
    expect(formatPersonName('DOE^JOHN^^^')).toBe('DOE, JOHN');
    expect(formatPersonName('DEMO^PATIENT^A')).toBe('DEMO, PATIENT A');
    expect(formatPersonName('ANON')).toBe('ANON');
    expect(formatPersonName('')).toBe('');
  });
});
