import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { expect, test } from 'vitest';
import { repo } from '../cli/helpers.ts';

// Every relative link and #anchor in the project's markdown resolves, as GitHub renders it: a clone
// must not send a learner to a file that does not exist (or not yet: an exercise still to come is
// named in words, not linked).

const md = new MarkdownIt({ html: true });
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: repo,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f !== '' && existsSync(join(repo, f)));

const tokens = new Map<string, Token[]>();
const parse = (file: string): Token[] => {
  let t = tokens.get(file);
  if (!t) tokens.set(file, (t = md.parse(readFileSync(join(repo, file), 'utf8'), {})));
  return t;
};

/** The anchors GitHub gives a file's headings (and any `<a id>` / `name` written in HTML). */
function anchors(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const out = new Set<string>();
  const all = parse(file);
  all.forEach((t, i) => {
    if (t.type === 'heading_open') out.add(slugger.slug(all[i + 1]!.children!.map((c) => c.content).join('')));
    for (const m of t.content.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]!);
  });
  return out;
}

/** Every link target in a file: markdown links and images, and href/src in its HTML. */
function links(file: string): string[] {
  const out: string[] = [];
  const walk = (ts: Token[]): void => {
    for (const t of ts) {
      if (t.type === 'link_open') out.push(t.attrGet('href')!);
      if (t.type === 'image') out.push(t.attrGet('src')!);
      if (t.type === 'html_block' || t.type === 'html_inline')
        for (const m of t.content.matchAll(/(?:href|src)="([^"]+)"/g)) out.push(m[1]!);
      if (t.children) walk(t.children);
    }
  };
  walk(parse(file));
  return out;
}

test('the markdown files are found', () => {
  expect(files).toContain('README.md');
  expect(files.some((f) => f.startsWith('guide/'))).toBe(true);
});

test('every relative link and anchor in the markdown resolves', () => {
  const dead: string[] = [];
  for (const file of files) {
    for (const href of links(file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:: not this test's business
      const [path, anchor] = href.split('#') as [string, string | undefined];
      const target = path === '' ? file : relative(repo, join(repo, dirname(file), decodeURIComponent(path)));
      if (!existsSync(join(repo, target))) {
        dead.push(`${file}: ${href} (no ${target})`);
        continue;
      }
      if (anchor && target.endsWith('.md') && statSync(join(repo, target)).isFile()) {
        if (!anchors(target).has(decodeURIComponent(anchor))) dead.push(`${file}: ${href} (no heading #${anchor})`);
      }
    }
  }
  expect(dead).toEqual([]);
});
