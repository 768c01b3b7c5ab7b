import { SingleBar } from 'cli-progress';
import type { Row } from './rows.ts';

/**
 * Students graded so far, with an ETA: a live bar on a terminal (cli-progress), one line per student
 * in a log (CI), both on stderr so that stdout stays the summary.
 */
export function classProgress(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): {
  onStudent: (row: Row, done: number, total: number) => void;
  stop: () => void;
} {
  if (!stream.isTTY) {
    return {
      onStudent: (row, done, total) =>
        stream.write(`[${done}/${total}] ${row.student}: ${row.total}/${row.max} ${row.status}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar({
    stream,
    format: '  grading {bar} {value}/{total} students · ETA {eta_formatted} · {student}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    hideCursor: true,
    etaBuffer: 20,
  });
  bar.start(total, 0, { student: '' });
  return {
    onStudent: (row, done) => bar.update(done, { student: row.student }),
    stop: () => bar.stop(),
  };
}
