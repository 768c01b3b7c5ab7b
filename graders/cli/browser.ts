import { existsSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { screenshotOf, type BrowseRequest } from '../lib/browser.ts';
import { text, type Text } from '../lib/text.ts';

// A page a learner's code wrote, opened in a real headless Chromium (Debian's `chromium` package,
// driven by playwright-core: a well-kept driver that downloads no browser of its own). Only the CLI
// runs this, after the grading child has ended: the child asks for it (graders/lib/browser.ts).

export interface BrowseOutcome {
  status: 'passed' | 'failed' | 'skipped';
  message: Text[];
}

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const LOAD_TIMEOUT_MS = 30_000;

/** The Chromium to drive: $TORCHLINGS_CHROMIUM, else the usual Debian/Ubuntu places. */
export function findChromium(): string | undefined {
  const own = process.env.TORCHLINGS_CHROMIUM;
  if (own) return existsSync(own) ? own : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

const skipped = (why: Text): BrowseOutcome => ({ status: 'skipped', message: [why] });

/** Opens `page` with nothing else reachable; passes when it loads with no console error and draws every image. */
export async function openInBrowser(request: BrowseRequest): Promise<BrowseOutcome> {
  const executablePath = findChromium();
  if (!executablePath) {
    return skipped(
      text(
        'skipped: install chromium to run this check (Debian/Ubuntu: sudo apt-get install chromium), or set TORCHLINGS_CHROMIUM',
        '건너뜀: 이 검사를 하려면 chromium 을 설치하세요 (Debian/Ubuntu: sudo apt-get install chromium). 또는 TORCHLINGS_CHROMIUM 을 지정하세요',
      ),
    );
  }
  const { chromium } = await import('playwright-core');
  let browser;
  try {
    // --no-sandbox: CI runs as root, where Chromium's own sandbox refuses to start; the page is static.
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  } catch (e) {
    // The machine's browser, not the learner's page: this check cannot run here.
    const why = String((e as Error).message ?? e)
      .split('\n')[0]!
      .slice(0, 200);
    return skipped(
      text(
        `skipped: ${executablePath} did not start (${why})`,
        `건너뜀: ${executablePath} 가 시작되지 않았습니다 (${why})`,
      ),
    );
  }
  try {
    const tab = await browser.newPage();
    const url = pathToFileURL(request.page).href;
    const errors: string[] = [];
    const blocked: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.route('**/*', (route) => {
      const target = route.request().url();
      if (target === url || target.startsWith('data:')) return route.continue();
      blocked.push(target);
      return route.abort();
    });
    try {
      await tab.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT_MS });
    } catch (e) {
      const why = String((e as Error).message ?? e)
        .split('\n')[0]!
        .slice(0, 200);
      return {
        status: 'failed',
        message: [text(`the page did not load: ${why}`, `페이지가 열리지 않았습니다: ${why}`)],
      };
    }
    // A string, evaluated in the page: Node's types know no `document`.
    const images = await tab.evaluate<{ alt: string; width: number; height: number }[]>(
      '[...document.images].map((i) => ({ alt: i.alt, width: i.naturalWidth, height: i.naturalHeight }))',
    );
    await tab.screenshot({ path: screenshotOf(request.page), fullPage: true });
    const message: Text[] = [];
    if (blocked.length > 0) {
      message.push(
        text(
          `the page asked for ${blocked.slice(0, 3).join(', ')}: it must stand alone`,
          `페이지가 ${blocked.slice(0, 3).join(', ')} 를 요청했습니다: 혼자 서야 합니다`,
        ),
      );
    }
    for (const e of errors.slice(0, 3))
      message.push(text(`console error: ${e.slice(0, 200)}`, `콘솔 오류: ${e.slice(0, 200)}`));
    const empty = images.filter((i) => i.width === 0 || i.height === 0);
    for (const i of empty.slice(0, 3)) {
      message.push(
        text(
          `the image "${i.alt}" did not draw (natural size 0×0)`,
          `이미지 "${i.alt}" 가 그려지지 않았습니다 (원래 크기 0×0)`,
        ),
      );
    }
    if (images.length !== request.images) {
      message.push(
        text(
          `the page shows ${images.length} images, expected ${request.images}`,
          `페이지의 이미지가 ${request.images} 개가 아니라 ${images.length} 개입니다`,
        ),
      );
    }
    return { status: message.length === 0 ? 'passed' : 'failed', message };
  } finally {
    await browser.close();
  }
}

/** Whether `page` lies inside `folder`: the CLI opens only pages in the run's own scratch folder. */
export function isInside(page: string, folder: string): boolean {
  if (!existsSync(page)) return false;
  const root = realpathSync(folder);
  return realpathSync(page).startsWith(root + sep);
}
