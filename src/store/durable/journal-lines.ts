/** Reading one journal file's lines (docs/storage.md §2.2, §2.5). */
import { unreadableFileError } from '../json-file.js';
import type { JournalLine } from './format.js';
import { lineProblem } from './schema.js';

/**
 * The lines of one journal file. A line counts once its newline is written: the last line of a
 * file that has no newline, or does not parse, is an append that a crash cut short. It was never
 * acknowledged (a commit resolves after its whole line is written and synced), so it is ignored,
 * and cut off before the next append. Any other bad line refuses the file.
 */
export function parseJournal(file: string, buffer: Buffer, afterSeq: number): { lines: JournalLine[]; validBytes: number } {
  const lines: JournalLine[] = [];
  let seq = afterSeq;
  let start = 0;
  for (let lineNo = 1; start < buffer.length; lineNo++) {
    const end = buffer.indexOf(0x0a, start);
    if (end === -1) break;
    let value: unknown;
    try {
      value = JSON.parse(buffer.toString('utf8', start, end));
    } catch (error) {
      if (end + 1 === buffer.length) break;
      throw unreadableFileError(file, `line ${lineNo} is not JSON (${error instanceof Error ? error.message : String(error)}), and it is not the last line`);
    }
    const problem = lineProblem(value, seq);
    if (problem !== null) throw unreadableFileError(file, `line ${lineNo}: ${problem}`);
    const line = value as JournalLine;
    lines.push(line);
    seq = line.seq;
    start = end + 1;
  }
  return { lines, validBytes: start };
}
