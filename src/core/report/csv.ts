// The report table as CSV, through the project's one CSV writer (text cells starting with = + - @ escaped).
import { recordsToCsv } from '../csv';
import { REPORT_CSV_COLUMNS, reportRecords, type Report } from './content';

export function reportCsv(r: Report): string {
  return recordsToCsv([...REPORT_CSV_COLUMNS], reportRecords(r));
}
