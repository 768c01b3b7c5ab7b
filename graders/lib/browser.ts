import { dirname, join } from 'node:path';

// Browser checks: a check whose page must be opened in a real browser asks for it here; the grading
// child passes the request to the CLI with the check's result (sandbox/run-checks.ts), and the CLI,
// outside the process that runs learner code, opens the page once grading has ended
// (graders/cli/browse.ts) and its outcome becomes the check's result.

export interface BrowseRequest {
  /** The check this decides. */
  id: string;
  /** The page, in the exercise's scratch folder. */
  page: string;
  /** How many <img> the page must draw. */
  images: number;
}

const pending: BrowseRequest[] = [];

/** Asks for `page` to be opened in a browser when grading ends; the check `id` then stands or falls by it. */
export function requestBrowser(id: string, page: string, options: { images: number }): void {
  pending.push({ id, page, images: options.images });
}

/** The requests made since the last call (the runner sends them on after each check). */
export function takeBrowseRequests(): BrowseRequest[] {
  return pending.splice(0);
}

/** The screenshot is written next to the page. */
export const screenshotOf = (page: string): string => join(dirname(page), 'report.png');
