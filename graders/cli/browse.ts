import { isInside, openInBrowser } from './browser.ts';
import type { GradeEvent } from '../lib/events.ts';
import { text } from '../lib/text.ts';

/**
 * Carries out the browser checks a grading child asked for (graders/lib/browser.ts), now that it
 * has ended: the browser starts from the CLI, never from the process that ran the learner's code.
 * A check's request counts only when the check itself passed (its page was written) and the page
 * lies in the run's scratch folder; the outcome is appended as that check's result, which replaces
 * the one the process wrote.
 */
export async function browseRequested(events: GradeEvent[], scratch: string): Promise<GradeEvent[]> {
  const out = [...events];
  for (const e of events) {
    if (e.type !== 'browse') continue;
    const last = events.filter((r) => r.type === 'result' && r.id === e.id).at(-1);
    if (!last || last.type !== 'result' || last.status !== 'passed') continue;
    const started = performance.now();
    const outcome = isInside(e.page, scratch)
      ? await openInBrowser(e)
      : {
          status: 'failed' as const,
          message: [
            text(`the page ${e.page} is not in this run's folder`, `페이지 ${e.page} 가 이 채점의 폴더에 없습니다`),
          ],
        };
    out.push({
      type: 'result',
      id: e.id,
      durationMs: last.durationMs + Math.round(performance.now() - started),
      ...outcome,
    });
  }
  return out;
}
