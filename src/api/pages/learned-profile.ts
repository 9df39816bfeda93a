/**
 * The "What paperboy learned" part of the preferences page: every vote (with
 * Undo), follow, mute, negative keyword and counted click, each removable,
 * and forms to add follows, mutes and negative keywords by hand.
 */
import type { Profile, Rule } from '../../profile/profile.ts';
import { isTopic, topicLabel, topics } from '../../papers/topics.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, notice } from './layout.ts';

export interface LearnedOptions {
  profile: Profile;
  token: string;
  errors?: string[];
  /** Values to show again after an error. */
  values?: { kind?: string; value?: string; keyword?: string };
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const ruleLabel = (r: Rule) => (r.kind === 'topic' && isTopic(r.key) ? topicLabel(r.key) : r.value);
const kindLabel = { organisation: 'Organisation', author: 'Author', topic: 'Topic', keyword: 'Keyword' } as const;

function removeButton(action: string, fields: Record<string, string>, label: string, name: string): SafeHtml {
  return html`<form method="post" action="${action}">${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit" class="secondary" aria-label="${label}: ${name}">${label}</button></form>`;
}

function list<T>(items: readonly T[], empty: string, row: (item: T) => SafeHtml): SafeHtml {
  return items.length ? html`<ul class="papers">${items.map((i) => html`<li class="inline">${row(i)}</li>`)}</ul>` : html`<p class="meta">${empty}</p>`;
}

export function learnedSection(o: LearnedOptions): SafeHtml {
  const q = `?token=${encodeURIComponent(o.token)}`;
  const at = (path: string) => `/preferences/learned/${path}${q}`;
  const { votes, clicks, rules } = o.profile;
  const follows = rules.filter((r) => r.stance === 'follow');
  const mutes = rules.filter((r) => r.stance === 'mute' && r.kind !== 'keyword');
  const negatives = rules.filter((r) => r.stance === 'mute' && r.kind === 'keyword');
  const ruleRow = (verb: string) => (r: Rule) =>
    html`<span>${kindLabel[r.kind]}: <strong>${ruleLabel(r)}</strong> <span class="meta">since ${day(r.at)}</span></span>${removeButton(at('rule/remove'), { kind: r.kind, value: r.key }, verb, ruleLabel(r))}`;
  return html`<section id="learned">
<h2>What paperboy learned</h2>
<p class="hint">Your emails rank papers by trending, moved by what you tell us here and with the links on each paper. Older votes count less as time passes.</p>
${o.errors?.length ? notice('bad', html`<p><strong>Not saved. Please fix:</strong></p><ul class="errors">${o.errors.map((e) => html`<li>${e}</li>`)}</ul>`) : ''}
<h3>Your votes</h3>
${list([...votes].reverse(), 'No votes yet: use More like this and Less like this in your emails.', (v) =>
  html`<span>${v.vote === 'more' ? 'More like this' : 'Less like this'}: <strong>‘${v.paper.title}’</strong> <span class="meta">${day(v.at)}</span></span>${removeButton(at('vote/remove'), { paper: v.paperId }, 'Undo', v.paper.title)}`,
)}
<h3>Following</h3>
${list(follows, 'You follow no organisation, author or topic.', ruleRow('Stop following'))}
<h3>Muted</h3>
${list(mutes, 'Nothing is muted.', ruleRow('Unmute'))}
<h3>Not interested in</h3>
${list(negatives, 'No negative keywords.', (r) =>
  html`<span>not: <strong>${r.value}</strong></span>${removeButton(at('rule/remove'), { kind: 'keyword', value: r.key }, 'Remove', r.value)}`,
)}
${clicks.length ? html`<h3>Papers you opened</h3>${list(clicks, '', (c) => html`<span><strong>‘${c.paper.title}’</strong> <span class="meta">${c.clicks}× · ${day(c.at)}</span></span>${removeButton(at('click/remove'), { paper: c.paperId }, 'Forget', c.paper.title)}`)}` : ''}
<h3>Add</h3>
<form method="post" action="${at('rule')}" class="card">
<div class="row"><div class="field"><label for="rule-kind">Kind</label><select id="rule-kind" name="kind">
${(['organisation', 'author', 'topic'] as const).map((k) => html`<option value="${k}"${o.values?.kind === k ? html` selected` : ''}>${kindLabel[k]}</option>`)}
</select></div>
<div class="field"><label for="rule-value">Name</label><input type="text" id="rule-value" name="value" maxlength="100" list="topic-names" value="${o.values?.value ?? ''}" placeholder="NVIDIA, Tri Dao, Robotics"></div></div>
<datalist id="topic-names">${topics.map((t) => html`<option value="${t.label}">`)}</datalist>
<div class="actions"><button type="submit" name="stance" value="follow">Follow</button><button type="submit" name="stance" value="mute" class="secondary">Mute</button></div>
</form>
<form method="post" action="${at('keyword')}" class="card">
<div class="field"><label for="negative-keyword">Not interested in (papers mentioning it never come)</label>
<div class="inline"><span>not:</span><input type="text" id="negative-keyword" name="keyword" maxlength="100" value="${o.values?.keyword ?? ''}" placeholder="diffusion"><button type="submit">Keep out</button></div></div>
</form>
</section>`;
}

/** The learned part on its own, with an error: what a failed change answers. */
export function learnedPage(o: LearnedOptions, preferencesUrl: string): string {
  return layout({ title: 'What paperboy learned', body: html`${learnedSection(o)}<p><a href="${preferencesUrl}">Back to your preferences</a></p>` });
}
