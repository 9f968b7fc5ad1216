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
  it('gives no rows for an empty text', () => {
    expect(parseCsv('')).toEqual([]);
  });
});
