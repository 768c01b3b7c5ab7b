import type { ExerciseResult } from '../../graders/cli/results.ts';
import { gradeMutant } from './grade-mutant.ts';
import { mutate, type Edit, type Mutant } from './mutants.ts';

// Several mutants of one exercise graded in one submission, a "round": one grading run serves them
// all. The rounds are chosen by hand, as 06 and 07 do: mistakes in functions that do not call each
// other (a mistake in mseLoss stays out of a round with one in the train loop that calls it, whose
// check could then fail for the wrong reason). Here they are held to what can be checked: every case
// in exactly one round; no member may fail a check another member is named to be caught by (its
// `caughtBy` or `alsoFails`); their edits still apply one after the other (each matching once); and
// members share the same common edits (a stub that keeps grading cheap, made once). Each case still
// asserts its own check and message.

export interface Expectation {
  variant: string;
  /** The check that must catch the mistake. */
  caughtBy: string;
  /** Other checks the same mistake may fail too. */
  alsoFails?: string[];
}

export interface Graded {
  result: ExerciseResult;
  /** Every check some case of the round may fail: the others must pass (or stay "not started"). */
  mayFail: Set<string>;
}

const failing = (c: Expectation): string[] => [c.caughtBy, ...(c.alsoFails ?? [])];

/** The round's submission: every member's edits, in order, each common edit once. */
function combine(members: Mutant[]): Mutant {
  if (members.length === 1) return members[0]!;
  const edits: Edit[] = [];
  for (const m of members) for (const e of m.edits) if (!edits.includes(e)) edits.push(e);
  return {
    exercise: members[0]!.exercise,
    variant: members.map((m) => m.variant).join('+'),
    why: members.map((m) => m.why).join('; '),
    edits,
  };
}

/** The rounds, as mutants: throws, saying why, where `rounds` breaks a rule above. */
export function checkRounds<C extends Expectation>(
  cases: C[],
  mutants: Mutant[],
  rounds: string[][],
): { cases: C[]; mutant: Mutant }[] {
  const caseOf = (v: string): C => {
    const c = cases.find((c) => c.variant === v);
    if (!c) throw new Error(`round member ${v} has no case`);
    return c;
  };
  const mutantOf = (v: string): Mutant => {
    const m = mutants.find((m) => m.variant === v);
    if (!m) throw new Error(`no mutant ${v} in test/graders/broken/`);
    return m;
  };
  const listed = rounds.flat();
  for (const c of cases) {
    const n = listed.filter((v) => v === c.variant).length;
    if (n !== 1) throw new Error(`${c.variant} is in ${n} rounds; every case belongs to exactly one`);
  }
  // Edits that several mutants hold (the same object): what keeps grading cheap, not a mistake.
  const common = new Set(mutants.flatMap((m) => m.edits).filter((e, i, all) => all.indexOf(e) !== i));
  const commonOf = (m: Mutant) => m.edits.filter((e) => common.has(e));
  return rounds.map((round) => {
    const members = round.map(caseOf);
    for (const a of members)
      for (const b of members) {
        if (a !== b && failing(b).includes(a.caughtBy))
          throw new Error(
            `round ${round.join(', ')}: ${b.variant} may fail ${a.caughtBy}, which must catch ${a.variant}`,
          );
        const [ca, cb] = [commonOf(mutantOf(a.variant)), commonOf(mutantOf(b.variant))];
        if (ca.length !== cb.length || ca.some((e) => !cb.includes(e)))
          throw new Error(`round ${round.join(', ')}: ${a.variant} and ${b.variant} stub different parts`);
      }
    const mutant = combine(round.map(mutantOf));
    mutate(mutant); // throws, naming the edit, where one member's edit no longer applies after another's
    return { cases: members, mutant };
  });
}

/** For each case, the grading of its round: one run per round, shared by the round's tests. */
export function gradeInRounds<C extends Expectation>(
  cases: C[],
  mutants: Mutant[],
  rounds: string[][],
): (c: C) => Promise<Graded> {
  const checked = checkRounds(cases, mutants, rounds);
  const runs = new Map<(typeof checked)[number], Promise<Graded>>();
  return (c) => {
    const r = checked.find((r) => r.cases.includes(c))!;
    let run = runs.get(r);
    if (!run) {
      run = gradeMutant(r.mutant).then((result) => ({
        result,
        mayFail: new Set(r.cases.flatMap(failing)),
      }));
      runs.set(r, run);
    }
    return run;
  };
}
