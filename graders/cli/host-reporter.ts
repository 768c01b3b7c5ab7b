import type { Reporter, SerializedError, TestModule } from 'vitest/node';
import { appendEvent } from '../lib/events.ts';
import { learnerFrame } from '../lib/location.ts';

/**
 * Runs in the grading child beside vitest. Checks record their own results (see lib/events.ts); this
 * reporter adds what only vitest sees: the learner's console output, a grader file that failed to
 * load, an error thrown outside any check, and the end of the run.
 */
export class HostReporter implements Reporter {
  constructor(private readonly events: string) {}

  onUserConsoleLog(log: { content: string; taskId?: string }): void {
    if (log.taskId) appendEvent(this.events, { type: 'log', taskId: log.taskId, content: log.content });
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    for (const error of [...modules.flatMap((m) => m.errors()), ...unhandled]) {
      const location = learnerFrame(error.stack);
      appendEvent(this.events, { type: 'file-error', message: firstLine(error), ...(location && { location }) });
    }
    appendEvent(this.events, { type: 'end' });
  }
}

const firstLine = (e: SerializedError): string => `${e.name ?? 'Error'}: ${(e.message ?? '').split('\n')[0]}`;
