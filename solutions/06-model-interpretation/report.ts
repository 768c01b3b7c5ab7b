// 06 · 모델 해석: one self-contained report page, solved. Guide §8.
import { readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

export interface Figure {
  title: string;
  /** A .png or .svg file. */
  file: string;
  caption?: string;
}

export interface ReportInput {
  title: string;
  figures: Figure[];
  /** A short table: a header row and the rows under it. */
  table: { header: string[]; rows: (string | number)[][] };
}

const TYPES: Record<string, string> = { '.png': 'image/png', '.svg': 'image/svg+xml' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Writes `dir/report.html` and returns its path: every figure inlined as a data: URL, so that the
 * page needs nothing beside itself (it can be mailed, or opened from any folder, offline).
 */
export function writeReport(dir: string, input: ReportInput): string {
  const figures = input.figures.map((f) => {
    const type = TYPES[extname(f.file).toLowerCase()];
    if (!type) throw new Error(`writeReport: ${f.file} is neither .png nor .svg`);
    const src = `data:${type};base64,${readFileSync(f.file).toString('base64')}`;
    const caption = f.caption ? `<p>${escapeHtml(f.caption)}</p>` : '';
    return `<figure><img src="${src}" alt="${escapeHtml(f.title)}"><figcaption><b>${escapeHtml(f.title)}</b>${caption}</figcaption></figure>`;
  });
  const head = input.table.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = input.table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>
body { font-family: sans-serif; margin: 2em; max-width: 1100px; }
figure { margin: 1.5em 0; }
img { max-width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<table><thead><tr>${head}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${figures.join('\n')}
</body>
</html>
`;
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  return path;
}
