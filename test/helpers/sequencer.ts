/**
 * The order test files start in. Vitest runs the longest first when it has timings from an earlier
 * run, and otherwise (a fresh clone, CI) the largest files first; but the longest files here are
 * small ones that grade whole exercises in child processes, so on a fresh clone they started last
 * and kept one worker busy long after the other had run out of files. These go first, longest first
 * (as measured on a 2-core machine), then the rest as vitest orders them, the files of the 'shared'
 * project (vitest.config.ts) last: a process of that project goes on to the next file only if that
 * one is shared too, so they run as one stretch, in as few processes as there are workers.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LONGEST_FIRST = [
  'test/cli/course.test.ts',
  'test/graders/exercise-05.test.ts',
  // One process: its ~30 DataLoader worker threads start one after another (~40 CPU-s in all).
  'test/engine/data/dataloader.test.ts',
  'test/cli/grade.e2e.test.ts',
  'test/cli/hostile/hostile.test.ts',
  'test/graders/exercises-03-04.test.ts',
  'test/graders/exercise-06.test.ts',
  'test/graders/exercise-07.test.ts',
  'test/graders/exercises-01-02.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId).replaceAll('\\', '/'));
      return i >= 0 ? i : LONGEST_FIRST.length + (f.project.name === 'shared' ? 1 : 0);
    };
    const rest = await super.sort(files);
    return [...rest].sort((a, b) => rank(a) - rank(b)); // stable: the rest keep vitest's order
  }
}
