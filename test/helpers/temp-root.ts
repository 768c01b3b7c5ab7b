/**
 * Vitest's global setup: every temporary folder a test makes (os.tmpdir() reads TMPDIR) goes under
 * one folder of this run, removed when the run ends, so that the suite leaves nothing in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'torchlings-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
