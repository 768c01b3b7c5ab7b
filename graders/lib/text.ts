// Every sentence the kit shows a learner exists in both languages; the CLI picks one at render time,
// and machine-readable reports keep both.
export type Lang = 'en' | 'ko';
export interface Text {
  en: string;
  ko: string;
}

export const text = (en: string, ko: string): Text => ({ en, ko });

/** The same text in both languages: numbers, code, file paths. */
export const same = (s: string): Text => ({ en: s, ko: s });

export const pick = (t: Text, lang: Lang): string => t[lang];

/** POSIX order: LC_ALL overrides LC_MESSAGES overrides LANG. */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}
