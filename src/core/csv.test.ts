import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv, recordsToCsv, parseSiteTable } from './csv';

describe('CSV', () => {
  it('round-trips quotes, commas, newlines and CRLF', () => {
    const text = formatCsv([['a', 'b'], ['x, "y"', 1.5], ['line\nbreak', 2]]).replace(/\n(?=x|line)/, '\r\n');
    expect(parseCsv(text)).toEqual([{ a: 'x, "y"', b: '1.5' }, { a: 'line\nbreak', b: '2' }]);
  });
  it('writes numbers with 8 significant digits and empty cells for undefined', () => {
    expect(recordsToCsv(['n', 'm'], [{ n: 1 / 3 }])).toBe('n,m\n0.33333333,\n');
  });
  it('escapes text a spreadsheet would run as a formula, keeps numbers, and reads the text back unchanged', () => {
    const evil = "=cmd|' /C calc'!A0";
    const text = recordsToCsv(['a', 'b', 'c', 'd'], [{ a: evil, b: '@SUM(A1)', c: '-1.5', d: -2 }]);
    expect(text).toBe("a,b,c,d\n'=cmd|' /C calc'!A0,'@SUM(A1),-1.5,-2\n");
    expect(parseCsv(text)).toEqual([{ a: evil, b: '@SUM(A1)', c: '-1.5', d: '-2' }]);
  });
  it('gives no rows for an empty text', () => {
    expect(parseCsv('')).toEqual([]);
  });
});

describe('parseCsv names what is wrong', () => {
  it('an unclosed quote, extra fields, header problems, semicolons', () => {
    expect(() => parseCsv('a,b\n1,"2\n3,4\n', 't.csv')).toThrow(/t\.csv: line 2: a quote \("\) opened here is never closed/);
    expect(() => parseCsv('a,b\n1,2\n1,5,3\n', 't.csv')).toThrow(/t\.csv: line 3 has 3 fields but the header 2 \(an unquoted comma, e\.g\. a decimal comma\?\)/);
    expect(() => parseCsv('a,,b\n1,2,3\n')).toThrow(/column 2 of the header has no name/);
    expect(() => parseCsv('a,b,a\n1,2,3\n')).toThrow(/column "a" appears twice/);
    expect(() => parseCsv('a;b\n1,5;2\n')).toThrow(/separated by semicolons/);
  });
  it('a UTF-8 BOM and quoted newlines keep line numbers right', () => {
    expect(parseCsv('\ufeffstructure,dose\nT1,2\n')).toEqual([{ structure: 'T1', dose: '2' }]);
    expect(() => parseCsv('a,b\n"x\ny",2\n3,4,5\n')).toThrow(/line 4 has 3 fields/);
  });
});

describe('parseSiteTable reads what spreadsheets save', () => {
  it('semicolons with decimal commas, tabs, BOM and CRLF; commas unchanged', () => {
    const semi = parseSiteTable('\ufeffpatient_id;type;suv_mean;note\r\nP1;kidney;22,5;"a;b"\r\nP2;kidney;19;x\r\n', 'site.csv');
    expect(semi.rows).toEqual([{ patient_id: 'P1', type: 'kidney', suv_mean: '22.5', note: 'a;b' }, { patient_id: 'P2', type: 'kidney', suv_mean: '19', note: 'x' }]);
    expect(semi.notes.join(' ')).toMatch(/semicolon-separated.*1 number\(s\) with a decimal comma/);
    const tab = parseSiteTable('a\tb\n1,5\t2\n', 't.tsv');
    expect(tab.rows).toEqual([{ a: '1.5', b: '2' }]);
    const comma = parseSiteTable('a,b\n"1,5",2\n');
    expect(comma.rows).toEqual([{ a: '1,5', b: '2' }]);
    expect(comma.notes).toEqual([]);
  });
});
