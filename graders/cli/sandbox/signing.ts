import { createHmac, timingSafeEqual } from 'node:crypto';
import type { GradeEvent } from '../../lib/events.ts';

// The results channel: the grading child writes each event as one line on a pipe, signed with a key
// that reaches the child on stdin before any learner code runs and that no learner code can reach
// (see boot.ts). The learner's code can write to the same pipe, but not sign: the CLI keeps only
// lines whose signature holds and whose sequence number is the next one, so nothing can be forged,
// replayed or dropped unnoticed.

const PREFIX = '@torchlings';

/** A fresh signer over `key` (hex); the child keeps the one it makes at boot in a closure. */
export function signer(key: string): (seq: number, event: GradeEvent) => string {
  const secret = Buffer.from(key, 'hex');
  // Leading newline: a learner's half-written line on the same pipe cannot swallow this one.
  return (seq, event) => {
    const body = `${seq} ${JSON.stringify(event)}`;
    return `\n${PREFIX} ${mac(secret, body)} ${body}\n`;
  };
}

export interface Verified {
  events: GradeEvent[];
  /** Lines that were not the kit's own: unsigned, badly signed, or out of sequence. */
  foreign: number;
}

/** The events on the pipe that the child's kit signed, in sequence. */
export function verify(key: string, text: string): Verified {
  const reader = verifier(key);
  reader.push(text);
  return reader.end();
}

/**
 * verify(), a chunk at a time as the pipe delivers them: push() returns the events of the lines that
 * are complete now (the CLI shows each check's result as it comes), end() what was on the pipe in all.
 */
export function verifier(key: string): { push(chunk: string): GradeEvent[]; end(): Verified } {
  const secret = Buffer.from(key, 'hex');
  const events: GradeEvent[] = [];
  let foreign = 0;
  let partial = '';
  const take = (line: string): GradeEvent | undefined => {
    if (line === '') return undefined;
    const m = /^@torchlings ([0-9a-f]{64}) ((\d+) (.*))$/.exec(line);
    const ok =
      m !== null &&
      Number(m[3]) === events.length &&
      timingSafeEqual(Buffer.from(m[1]!, 'hex'), Buffer.from(mac(secret, m[2]!), 'hex'));
    if (!ok) {
      foreign++;
      return undefined;
    }
    const event = JSON.parse(m[4]!) as GradeEvent;
    events.push(event);
    return event;
  };
  return {
    push(chunk) {
      if (!chunk.includes('\n')) {
        partial += chunk; // a long line in many chunks is split once, when it ends
        return [];
      }
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      return lines.flatMap((line) => take(line) ?? []);
    },
    end() {
      take(partial);
      partial = '';
      return { events, foreign };
    },
  };
}

const mac = (secret: Buffer, body: string): string => createHmac('sha256', secret).update(body).digest('hex');
