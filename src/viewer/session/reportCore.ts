// What the report session loads lazily: the core report code (its own chunk, with pdf-lib and fontkit).
export { makeReport, reportFiles } from '../../core/report/make';
export { figurePng } from '../../core/report/figures';
export { TABLE_COLUMNS, aggregatePredictedText, measuredText } from '../../core/report/content';
