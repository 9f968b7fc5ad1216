// The report as a PDF (pdf-lib), from the report model, its figures and the bytes of a Unicode TrueType font that
// the caller ships (the viewer serves DejaVu Sans itself; the CLI reads the same file): the browser and the CLI
// make the same file. Landscape A4; the table wraps its cells and repeats its header on every page.
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { aggregatePredictedText, measuredText, TABLE_COLUMNS, type Report, type ReportRow } from './content';
import { figurePng, type Figure } from './figures';

const W = 841.89, H = 595.28, M = 36;
const BLACK = rgb(0, 0, 0), GREY = rgb(0.35, 0.35, 0.35), RED = rgb(0.6, 0.05, 0.05), AMBER = rgb(0.55, 0.38, 0);

const f = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

class Writer {
  page!: PDFPage;
  y = 0;
  pages = 0;
  constructor(readonly doc: PDFDocument, readonly font: PDFFont, readonly bold: PDFFont, readonly footer: string) { this.newPage(); }
  newPage(): void {
    this.page = this.doc.addPage([W, H]);
    this.pages++;
    this.y = H - M;
    this.page.drawText(this.footer, { x: M, y: 16, size: 7, font: this.font, color: RED });
  }
  ensure(h: number): void { if (this.y - h < M) this.newPage(); }
  /** Lines of `text` no wider than `width` at `size` (words kept whole unless one alone is too wide). */
  wrap(text: string, size: number, width: number, font = this.font): string[] {
    const out: string[] = [];
    for (const para of text.split('\n')) {
      let line = '';
      for (const word of para.split(/\s+/).filter(Boolean)) {
        const next = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(next, size) <= width) { line = next; continue; }
        if (line) out.push(line);
        let w = word;
        while (font.widthOfTextAtSize(w, size) > width && w.length > 1) {
          let k = w.length - 1;
          while (k > 1 && font.widthOfTextAtSize(w.slice(0, k), size) > width) k--;
          out.push(w.slice(0, k));
          w = w.slice(k);
        }
        line = w;
      }
      out.push(line);
    }
    return out;
  }
  para(text: string, size = 9, o: { bold?: boolean; color?: ReturnType<typeof rgb>; indent?: number; gap?: number } = {}): void {
    const font = o.bold ? this.bold : this.font, x = M + (o.indent ?? 0);
    for (const line of this.wrap(text, size, W - M - x, font)) {
      this.ensure(size * 1.3);
      this.page.drawText(line, { x, y: this.y - size, size, font, color: o.color ?? BLACK });
      this.y -= size * 1.3;
    }
    this.y -= o.gap ?? 2;
  }
  heading(text: string): void { this.ensure(40); this.y -= 6; this.para(text, 12, { bold: true, gap: 4 }); }
}

/** Column widths (pt) of the table's columns (TABLE_COLUMNS); 0 takes the rest of the line. */
const WIDTHS = [24, 62, 62, 44, 38, 64, 82, 36, 58, 70, 0];
const COLUMNS = TABLE_COLUMNS.map((c, n) => ({ ...c, width: WIDTHS[n] }));

function table(w: Writer, rows: ReportRow[]): void {
  const size = 7, lead = size * 1.25, pad = 2;
  const cols = COLUMNS.map((c) => ({ ...c, width: c.width || W - 2 * M - COLUMNS.reduce((s, x) => s + x.width, 0) }));
  const drawRow = (cells: string[], font: PDFFont, isHeader: boolean) => {
    const lines = cells.map((t, n) => w.wrap(t, size, cols[n].width - 2 * pad, font));
    const h = Math.max(...lines.map((l) => l.length)) * lead + 2 * pad;
    if (w.y - h < M) { w.newPage(); if (!isHeader) header(); }
    if (isHeader) w.page.drawRectangle({ x: M, y: w.y - h, width: W - 2 * M, height: h, color: rgb(0.93, 0.95, 0.98) });
    let x = M;
    lines.forEach((ls, n) => {
      ls.forEach((t, k) => w.page.drawText(t, { x: x + pad, y: w.y - pad - (k + 1) * lead + 2, size, font, color: BLACK }));
      x += cols[n].width;
    });
    w.y -= h;
    w.page.drawLine({ start: { x: M, y: w.y }, end: { x: W - M, y: w.y }, thickness: 0.3, color: GREY });
  };
  // The header row, repeated on every page the table continues on.
  const header = () => drawRow(cols.map((c) => c.title), w.bold, true);
  header();
  for (const r of rows) drawRow(cols.map((c) => c.cell(r)), w.font, false);
}

/** Places a figure (its PNG and its labels) at the writer's position, `width` points wide. */
async function figure(w: Writer, fig: Figure, x: number, top: number, width: number): Promise<number> {
  const png = await w.doc.embedPng(figurePng(fig));
  const s = width / fig.width, h = fig.height * s;
  w.page.drawImage(png, { x, y: top - h, width, height: h });
  for (const l of fig.labels) {
    const size = Math.max(4, (l.size ?? 8) * Math.max(s, 0.75));
    const tw = w.font.widthOfTextAtSize(l.text, size);
    const lx = x + l.x * s - (l.align === 'right' ? tw : l.align === 'center' ? tw / 2 : 0);
    const c = l.color ?? [0, 0, 0];
    w.page.drawText(l.text, { x: lx, y: top - l.y * s - size, size, font: w.font, color: rgb(c[0] / 255, c[1] / 255, c[2] / 255) });
  }
  return h;
}

export interface PdfFonts { regular: Uint8Array; bold?: Uint8Array }

export async function reportPdf(report: Report, figures: Figure[], fonts: PdfFonts): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fonts.regular, { subset: true });
  const bold = fonts.bold ? await doc.embedFont(fonts.bold, { subset: true }) : font;
  const date = new Date(report.reportDate);
  doc.setTitle(report.title); doc.setSubject(report.statement); doc.setProducer('psma-dose-preview'); doc.setCreator('psma-dose-preview');
  if (!Number.isNaN(date.getTime())) { doc.setCreationDate(date); doc.setModificationDate(date); }
  const w = new Writer(doc, font, bold, `${report.model.notForClinicalUse ? 'NOT FOR CLINICAL USE — ' : ''}${report.title} — model ${report.model.id}`);

  w.para(report.title, 15, { bold: true, gap: 4 });
  w.para(report.statement, 10, { bold: true, color: RED, gap: 6 });
  for (const l of report.header) w.para(`${l.label}: ${l.value}`, 8.5);
  if (report.tracer.caveat) w.para(`Tracer caveat: ${report.tracer.caveat}`, 8.5, { color: AMBER });

  w.heading('Predicted doses per structure');
  table(w, report.rows);
  for (const s of report.notPredicted) w.para(`Not predicted: ${s.name} (${s.type}): ${s.reason}`, 8, { color: AMBER });
  if (report.measuredSummary || report.measuredAggregates.length) {
    w.heading('Predicted vs measured');
    if (report.measuredSummary) w.para(`${report.measuredSummary}${report.measuredSource ? ` (measured: ${report.measuredSource})` : ''}.`, 8.5);
    for (const a of report.measuredAggregates) w.para(`${a.name} (aggregate): predicted ${aggregatePredictedText(a)} Gy/GBq; measured ${measuredText(a.measured)}`, 8.5);
  }

  w.heading('Plan summary');
  for (const l of report.summary) w.para(`${l.label}: ${l.value}`, 8.5);
  if (report.flags.length) {
    w.y -= 4;
    for (const x of report.flags) w.para(`${x.severity === 'warning' ? '⚠ Warning' : '⚠ Caution'}: ${x.text}`, 8.5, { color: x.severity === 'warning' ? RED : AMBER });
  }
  for (const m of report.missing) w.para(`Missing: ${m}`, 8, { color: GREY });
  for (const m of report.measuredWarnings) w.para(`Measured dose: ${m}`, 8, { color: AMBER });

  // Figures: the MIP beside the axial slices, then the chart.
  const [mip, ...rest] = figures;
  const chart = rest.find((x) => x.id === 'dose-chart');
  const slices = rest.filter((x) => x !== chart);
  if (mip) {
    w.newPage();
    w.para('Figures', 12, { bold: true, gap: 4 });
    const top = w.y, mipH = Math.min(H - 2 * M - 60, 400), mipW = (mip.width / mip.height) * mipH;
    await figure(w, mip, M, top, mipW);
    w.page.drawText(mip.title, { x: M, y: top - mipH - 12, size: 8, font: bold });
    for (const [n, line] of w.wrap(mip.caption, 7, mipW + 60).entries()) w.page.drawText(line, { x: M, y: top - mipH - 22 - n * 9, size: 7, font, color: GREY });
    // Slices in a grid right of the MIP, continuing on further pages.
    let x = M + mipW + 20, y = top;
    const cell = 150;
    for (const s of slices) {
      if (x + cell > W - M) { x = M + mipW + 20; y -= cell + 34; }
      if (y - cell - 30 < M) { w.newPage(); x = M; y = w.y; }
      await figure(w, s, x, y, cell);
      for (const [n, line] of w.wrap(s.title, 6.5, cell).entries()) w.page.drawText(line, { x, y: y - cell - 9 - n * 8, size: 6.5, font });
      x += cell + 12;
    }
    if (slices.length) {
      w.y = Math.min(y - cell - 30, top - mipH - 50);
      if (w.y < M + 20) w.newPage();
      w.para(slices[0].caption.replace(slices[0].title.split(':')[0], 'each tumour'), 7, { color: GREY });
    }
  }
  if (chart) {
    w.newPage();
    w.para(chart.title, 12, { bold: true, gap: 4 });
    const width = Math.min(W - 2 * M, chart.width * 1.3), h = chart.height * (width / chart.width);
    const scale = Math.min(1, (w.y - M - 30) / h);
    await figure(w, chart, M, w.y, width * scale);
    w.y -= h * scale + 6;
    w.para(chart.caption, 7.5, { color: GREY });
  }

  w.heading('Caveats');
  for (const c of report.caveats) w.para(`• ${c}`, 8);
  w.heading('Sources');
  for (const s of report.sources) w.para(`• ${s}`, 8);
  return doc.save();
}
