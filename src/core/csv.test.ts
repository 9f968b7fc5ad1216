import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv, recordsToCsv } from './csv';

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
