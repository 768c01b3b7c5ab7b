import type { ErrorKind } from '../../lib/events.ts';
import { text, type Text } from '../../lib/text.ts';

// The kit's own words in the terminal report. Graders bring their own (titles, hints, failures).
export const words = {
  done: text('done', '완료'),
  notStarted: text('not started', '시작 전'),
  error: text('error', '오류'),
  hint: text('hint', '힌트'),
  guide: text('guide', '가이드'),
  output: text('output', '출력'),
  next: text('next', '다음'),
  allDone: text('all exercises pass', '모든 연습문제를 통과했습니다'),
  hidden: text('hidden', '숨은 검사'),
} as const;

/** When only some exercises were graded, "all pass" would claim too much: name them. */
export const gradedPass = (folders: string[]): Text =>
  folders.length === 1
    ? text(`${folders[0]} passes`, `${folders[0]} 를 통과했습니다`)
    : text(
        `the exercises graded pass: ${folders.join(', ')}`,
        `채점한 연습문제를 모두 통과했습니다: ${folders.join(', ')}`,
      );

export const errorWords: Record<ErrorKind, Text> = {
  'missing-file': text('missing file', '파일 없음'),
  syntax: text('syntax error', '문법 오류'),
  load: text('could not load', '불러오기 실패'),
  exception: text('error', '오류'),
  timeout: text('timed out', '시간 초과'),
  'out-of-memory': text('out of memory', '메모리 부족'),
  crash: text('crashed', '비정상 종료'),
  forbidden: text('not allowed', '허용되지 않음'),
};

export const header = (target: string, device: string, seed: number): Text =>
  text(
    `torchlings · grading ${target}/ on ${device} · seed ${seed}`,
    `torchlings · ${target}/ 채점 · ${device} · 시드 ${seed}`,
  );

export const unconfined = (node: string): Text =>
  text(
    `note: Node ${node} has no permission model; the graded code ran with your user's rights`,
    `참고: Node ${node} 에는 권한 모델이 없어 채점한 코드가 사용자 권한으로 실행되었습니다`,
  );

export const total = (score: number, max: number, passed: number, count: number): Text =>
  text(
    `total ${score}/${max} · ${passed} of ${count} exercises done`,
    `합계 ${score}/${max} · ${count}개 중 ${passed}개 완료`,
  );

export const waiting = (ids: string[], points: number): Text =>
  text(
    `${ids.join(', ')} (${points} points): long checks, run once the checks above pass (--all-checks runs them now)`,
    `${ids.join(', ')} (${points}점): 긴 검사라서 위의 검사를 모두 통과하면 실행합니다 (--all-checks 로 지금 실행)`,
  );

export const footer = (exercise: string): Text =>
  text(
    `npm run grade -- --watch re-grades on every save · npm run hint -- ${exercise} for more help`,
    `npm run grade -- --watch: 저장할 때마다 다시 채점 · npm run hint -- ${exercise}: 더 많은 도움말`,
  );

export const hiddenTotal = (score: number, max: number): Text =>
  text(`hidden checks ${score}/${max} (not in the total)`, `숨은 검사 ${score}/${max} (합계에 들지 않음)`);
