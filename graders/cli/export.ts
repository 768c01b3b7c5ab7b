// `npm run course:export -- DIR [--hidden DIR]`: the learner's repository (exercises/README.md).
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportCourse, LeakError } from './course/export.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { course: { type: 'string' }, hidden: { type: 'string' } },
});
const dest = positionals[0];
if (!dest) {
  process.stderr.write('usage: npm run course:export -- DIR [--hidden DIR]\n');
  process.exit(2);
}
try {
  const course = resolve(values.course ?? fileURLToPath(new URL('../..', import.meta.url)));
  const taken = exportCourse({ course, dest, ...(values.hidden && { hidden: values.hidden }) });
  process.stdout.write(
    `${dest}: the learner's copy (${taken.join(', ')}, .github/workflows/classroom.yml); ` +
      'no solutions, no hidden checks; leak scan clean\n',
  );
} catch (e) {
  process.stderr.write(`torchlings: ${(e as Error).message}\n`);
  process.exitCode = e instanceof LeakError ? 1 : 2;
}
