import { AppError } from '../errors.ts';

/** One raw record's JSON is larger than RAW_MAX_RECORD_BYTES. */
export class RecordTooLargeError extends AppError {
  constructor(index: number, bytes: number, max: number) {
    const message = `record is ${bytes} bytes of JSON; at most ${max} are stored (RAW_MAX_RECORD_BYTES)`;
    super(413, 'RECORD_TOO_LARGE', `records.${index}.raw_data: ${message}`, [{ path: `records.${index}.raw_data`, message }]);
  }
}

/**
 * The body limit bounds a batch; this bounds each record in it, so a single huge entity (an
 * upstream answer crafted or broken) cannot become one huge row that every later read and
 * transform has to carry.
 */
export function assertRecordSizes(rawJsons: readonly string[], maxBytes: number): void {
  rawJsons.forEach((json, index) => {
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > maxBytes) throw new RecordTooLargeError(index, bytes, maxBytes);
  });
}
