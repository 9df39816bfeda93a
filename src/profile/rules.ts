/**
 * The reader's hard rules: mutes (organisation, author, topic) and negative
 * keywords never let a paper in; follows of an organisation or author bring
 * its papers in even outside the reader's topics.
 *
 * Negative keywords match like the reader's keywords do (candidates.ts):
 * whole words, case-insensitive, the last word may take a plural s or es, so
 * "not: diffusion" also keeps out "Diffusion Models".
 */
import type { PaperFeatures } from '../digest/features.ts';
import { ruleKey, type Profile } from './profile.ts';

export interface CompiledRules {
  mutedTopics: Set<string>;
  mutedOrgs: Set<string>;
  mutedAuthors: Set<string>;
  negative: { value: string; pattern: RegExp }[];
  followedOrgs: Map<string, string>;
  followedAuthors: Map<string, string>;
  followedTopics: Set<string>;
  /** Whether any rule can keep a paper out or bring one in by organisation or author (else blockedBy and followedOn are always null). */
  any: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function keywordPattern(phrase: string): RegExp {
  const words = ruleKey(phrase).split(' ').map(escape);
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?:e?s)?(?![\\p{L}\\p{N}])`, 'iu');
}

const noRules = (): CompiledRules => ({
  mutedTopics: new Set(),
  mutedOrgs: new Set(),
  mutedAuthors: new Set(),
  negative: [],
  followedOrgs: new Map(),
  followedAuthors: new Map(),
  followedTopics: new Set(),
  any: false,
});
/** Most readers have no rules: they share one empty set, never written to. */
const NO_RULES = noRules();

export function compileRules(profile: Profile): CompiledRules {
  if (!profile.rules.length) return NO_RULES;
  const c = noRules();
  for (const r of profile.rules) {
    if (r.stance === 'mute') {
      if (r.kind === 'topic') c.mutedTopics.add(r.key);
      else if (r.kind === 'organisation') c.mutedOrgs.add(r.key);
      else if (r.kind === 'author') c.mutedAuthors.add(r.key);
      else c.negative.push({ value: r.value, pattern: keywordPattern(r.value) });
    } else if (r.kind === 'organisation') c.followedOrgs.set(r.key, r.value);
    else if (r.kind === 'author') c.followedAuthors.set(r.key, r.value);
    else if (r.kind === 'topic') c.followedTopics.add(r.key);
  }
  c.any = c.mutedTopics.size + c.mutedOrgs.size + c.mutedAuthors.size + c.negative.length + c.followedOrgs.size + c.followedAuthors.size > 0;
  return c;
}

/** Why the reader never sees this paper, or null when nothing keeps it out. */
export function blockedBy(c: CompiledRules, p: PaperFeatures): string | null {
  const topic = p.topics.find((t) => c.mutedTopics.has(t));
  if (topic) return `muted topic ${topic}`;
  if (p.organisation && c.mutedOrgs.has(ruleKey(p.organisation))) return `muted organisation ${p.organisation}`;
  const author = p.authors.find((a) => c.mutedAuthors.has(ruleKey(a)));
  if (author) return `muted author ${author}`;
  const neg = c.negative.find((n) => n.pattern.test(p.text));
  return neg ? `negative keyword ${neg.value}` : null;
}

/** The organisation or author the reader follows on this paper, as they spelled it. */
export function followedOn(c: CompiledRules, p: PaperFeatures): { kind: 'organisation' | 'author'; value: string } | null {
  const org = p.organisation ? c.followedOrgs.get(ruleKey(p.organisation)) : undefined;
  if (org) return { kind: 'organisation', value: org };
  for (const a of p.authors) {
    const followed = c.followedAuthors.get(ruleKey(a));
    if (followed) return { kind: 'author', value: followed };
  }
  return null;
}
