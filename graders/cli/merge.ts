// `npm run grade:merge -- shard-*/grades.csv [--out grades.csv]`: one class's shards, one table.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mergeGrades } from './class/merge.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string', default: 'grades.csv' } },
});
try {
  writeFileSync(values.out, mergeGrades(positionals));
  process.stdout.write(`${values.out}: ${positionals.length} shards merged\n`);
} catch (e) {
  process.stderr.write(
    `torchlings: ${(e as Error).message}\nusage: npm run grade:merge -- shard-*/grades.csv [--out FILE]\n`,
  );
  process.exitCode = 2;
}
