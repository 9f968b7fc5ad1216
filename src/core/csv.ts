// CSV in one place: the reader of cohort, feature and site tables and the writer of every table we export.

/** Rows of a CSV text with a header line (quoted fields, commas and newlines inside quotes, CRLF). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((x) => x !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  if (!rows.length) return [];
  const [head, ...body] = rows;
  const unescape = (x: string) => (/^'[=+\-@]/.test(x) ? x.slice(1) : x);
  return body.map((r) => Object.fromEntries(head.map((h, n) => [h.trim(), unescape((r[n] ?? '').trim())])));
}

export type CsvCell = string | number | undefined;

/** Text a spreadsheet would run as a formula (= + - @ first); plain numbers written as text are not. */
const FORMULA = /^[=+\-@]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One cell: numbers with 8 significant digits; text that a spreadsheet would run as a formula gets a leading
 * apostrophe (OWASP CSV injection; `parseCsv` removes it again); quoted when it holds a quote, comma or newline.
 */
export function csvCell(v: CsvCell): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return String(+v.toPrecision(8));
  const text = FORMULA.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV text from rows of cells (the first row is the header). */
export function formatCsv(rows: CsvCell[][]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** A CSV text from records, in the order of `columns`. */
export function recordsToCsv(columns: string[], records: Record<string, CsvCell>[]): string {
  return formatCsv([columns, ...records.map((r) => columns.map((c) => r[c]))]);
}
