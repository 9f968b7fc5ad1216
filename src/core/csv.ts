// CSV in one place: the reader of cohort, feature and site tables and the writer of every table we export.

export class CsvError extends Error {}

/**
 * Rows of a CSV text with a header line (quoted fields, commas and newlines inside quotes, CRLF, a UTF-8 BOM).
 * Throws CsvError naming the line for an unclosed quote, a row with more fields than the header, an empty or
 * repeated column name, or a semicolon-separated file.
 */
export function parseCsv(text: string, name = 'CSV', delimiter: ',' | ';' | '\t' = ','): Record<string, string>[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: { line: number; cells: string[] }[] = [];
  let row: string[] = [], field = '', q = false, line = 1, rowLine = 1, quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') q = false; else { if (c === '\n') line++; field += c; }
    } else if (c === '"') { q = true; quoteLine = line; }
    else if (c === delimiter) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((x) => x !== '')) rows.push({ line: rowLine, cells: row });
      row = [];
      rowLine = ++line;
    } else field += c;
  }
  if (q) throw new CsvError(`${name}: line ${quoteLine}: a quote (") opened here is never closed`);
  if (field || row.length) { row.push(field); rows.push({ line: rowLine, cells: row }); }
  if (!rows.length) return [];
  const [head, ...body] = rows;
  const names = head.cells.map((h) => h.trim());
  if (delimiter === ',' && names.length === 1 && names[0].includes(';')) throw new CsvError(`${name}: the header is separated by semicolons; save the table as comma-separated CSV (with a decimal point)`);
  names.forEach((h, n) => {
    if (!h) throw new CsvError(`${name}: line ${head.line}: column ${n + 1} of the header has no name`);
    if (names.indexOf(h) !== n) throw new CsvError(`${name}: line ${head.line}: column "${h}" appears twice in the header`);
  });
  const unescape = (x: string) => (/^'[=+\-@]/.test(x) ? x.slice(1) : x);
  return body.map((r) => {
    if (r.cells.length > names.length) throw new CsvError(`${name}: line ${r.line} has ${r.cells.length} fields but the header ${names.length} (an unquoted comma, e.g. a decimal comma?)`);
    return Object.fromEntries(names.map((h, n) => [h, unescape((r.cells[n] ?? '').trim())]));
  });
}

/**
 * A table a site assembles in a spreadsheet: comma-, semicolon- or tab-separated (from the header line), and with a
 * semicolon or tab, decimal commas in numbers ("0,43") read as decimal points. `notes` says what was assumed.
 */
export function parseSiteTable(text: string, name = 'table'): { rows: Record<string, string>[]; notes: string[] } {
  const head = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/, 1)[0].replace(/"[^"]*"/g, '');
  const count = (c: string) => head.split(c).length - 1;
  const delimiter = ([';', '\t', ','] as const).reduce((best, c) => (count(c) > count(best) ? c : best), ',' as ',' | ';' | '\t');
  const rows = parseCsv(text, name, delimiter);
  const notes: string[] = [];
  if (delimiter !== ',') {
    notes.push(`${name}: ${delimiter === ';' ? 'semicolon' : 'tab'}-separated`);
    let converted = 0;
    for (const r of rows) for (const k of Object.keys(r)) if (/^[+-]?\d+,\d+([eE][+-]?\d+)?$/.test(r[k])) { r[k] = r[k].replace(',', '.'); converted++; }
    if (converted) notes.push(`${name}: ${converted} number(s) with a decimal comma read as decimals (e.g. 0,43 → 0.43)`);
  }
  return { rows, notes };
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
