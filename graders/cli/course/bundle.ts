import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZipFile } from 'yazl';
import { loadCourse } from '../manifest.ts';
import { TAKEN } from './export.ts';
import { walk } from './leaks.ts';

// `npm run gradescope:bundle`: Gradescope's autograder.zip. At its top, setup.sh (run once to build
// the image) and run_autograder (run per submission); under source/, the kit as the instructor has
// it, hidden checks included and worked solutions left out: Gradescope unzips it to /autograder/source.

const templates = fileURLToPath(new URL('../../templates/gradescope', import.meta.url));

export interface BundleOptions {
  course: string;
  out: string;
  /** Hidden checks kept elsewhere than graders/hidden/: they go to source/graders/hidden/. */
  hidden?: string;
}

export async function writeBundle(opts: BundleOptions): Promise<string[]> {
  const zip = new ZipFile();
  const names: string[] = [];
  const add = (file: string, name: string, mode = 0o100644): void => {
    zip.addFile(file, name, { mode, mtime: new Date(0) }); // fixed times: the same kit gives the same zip
    names.push(name);
  };
  const maxScore = loadCourse(opts.course).manifest.exercises.reduce((s, e) => s + e.points, 0);
  add(join(templates, 'setup.sh'), 'setup.sh', 0o100755);
  const runner = readFileSync(join(templates, 'run_autograder'), 'utf8').replace('__MAX_SCORE__', String(maxScore));
  zip.addBuffer(Buffer.from(runner), 'run_autograder', { mode: 0o100755, mtime: new Date(0) });
  names.push('run_autograder');

  for (const entry of [...TAKEN, 'package.json']) {
    const from = join(opts.course, entry);
    if (!existsSync(from)) continue;
    for (const f of statSync(from).isDirectory() ? walk(from) : [from]) add(f, `source/${relative(opts.course, f)}`);
  }
  if (opts.hidden && resolve(opts.hidden) !== join(opts.course, 'graders', 'hidden'))
    for (const f of walk(opts.hidden)) add(f, `source/graders/hidden/${relative(opts.hidden, f)}`);

  await new Promise<void>((done, fail) => {
    zip.outputStream.pipe(createWriteStream(opts.out)).on('close', done).on('error', fail);
    zip.end();
  });
  return names;
}
