// `npm run gradescope:bundle -- [--out autograder.zip] [--hidden DIR]`: see exercises/README.md.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeBundle } from './course/bundle.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'autograder.zip' },
    course: { type: 'string' },
    hidden: { type: 'string' },
  },
});
const course = resolve(values.course ?? fileURLToPath(new URL('../..', import.meta.url)));
const names = await writeBundle({ course, out: values.out, ...(values.hidden && { hidden: values.hidden }) });
const hidden = names.filter((n) => n.startsWith('source/graders/hidden/')).length;
process.stdout.write(
  `${values.out}: setup.sh, run_autograder and the kit (${names.length - 2} files, ${hidden} hidden graders)\n`,
);
