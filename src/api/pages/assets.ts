/**
 * The one stylesheet and the one script every page shares, served by the app
 * under /assets/ (no build step, cacheable, allowed by the CSP's 'self').
 * Colours meet WCAG AA contrast in both the light and the dark scheme (the
 * browser's prefers-color-scheme picks, as the email does); focus is always
 * visible; the layout is one column that fits a 375 px phone.
 */
import { currentNameOf } from '../../subscribers/timezones.ts';

export const stylesheet = `
:root { color-scheme: light dark; --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --card:#fff; --field:#fff; --field-line:#8c959f; --accent:#1f5fbf; --accent-ink:#fff; --focus:#0969da; --ok:#1a7f37; --bad:#cf222e;
  --ok-bg:#dafbe1; --ok-line:#4ac26b; --ok-ink:#0f5323; --bad-bg:#ffebe9; --bad-line:#ff8182; --bad-ink:#82071e; }
@media (prefers-color-scheme: dark) {
  :root { --ink:#e6edf3; --muted:#9ea7b3; --line:#30363d; --bg:#0d1117; --card:#161b22; --field:#0d1117; --field-line:#6e7681; --accent:#58a6ff; --accent-ink:#0d1117; --focus:#58a6ff; --ok:#3fb950; --bad:#f85149;
    --ok-bg:#12261e; --ok-line:#2ea043; --ok-ink:#7ee2a8; --bad-bg:#2d1214; --bad-line:#da3633; --bad-ink:#ffa198; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
p, li { overflow-wrap: anywhere; }
main { max-width: 42rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header.site { max-width: 42rem; margin: 0 auto; padding: 1rem 1rem 0; font-weight: 700; font-size: 1.1rem; }
header.site a { color: var(--ink); text-decoration: none; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem; }
.card > :first-child { margin-top: 0; } .card > :last-child { margin-bottom: 0; }
label, legend { display: block; font-weight: 600; margin: 0 0 .35rem; }
.field { margin: 0 0 1.1rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
input[type=email], input[type=text], select { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid var(--field-line); border-radius: 6px; background: var(--field); color: var(--ink); }
fieldset { border: 0; padding: 0; margin: 0 0 1.1rem; min-width: 0; }
.topics { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: .35rem .75rem; }
.topics label, .choice label { font-weight: 400; display: flex; gap: .5rem; align-items: center; margin: 0; padding: .2rem 0; }
.choice { display: flex; gap: 1.25rem; flex-wrap: wrap; }
input[type=checkbox], input[type=radio] { width: 1.15rem; height: 1.15rem; accent-color: var(--accent); }
.row { display: grid; grid-template-columns: 1fr 2fr; gap: .75rem; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .65rem 1.3rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; }
button.secondary { background: var(--card); color: var(--accent); }
button.danger { background: var(--card); color: var(--bad); border-color: var(--bad); }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; margin-top: 1rem; }
.actions form { margin: 0; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.notice { border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.notice.ok { background: var(--ok-bg); border-color: var(--ok-line); color: var(--ok-ink); }
.notice.bad { background: var(--bad-bg); border-color: var(--bad-line); color: var(--bad-ink); }
.notice a { color: inherit; }
.notice > :first-child { margin-top: 0; } .notice > :last-child { margin-bottom: 0; }
.notice.demo { border-color: var(--line); background: var(--card); color: var(--muted); font-size: .9rem; }
.field-error { color: var(--bad); font-weight: 600; font-size: .95rem; margin: 0 0 .35rem; }
[aria-invalid=true] { border-color: var(--bad) !important; border-width: 2px !important; }
fieldset[aria-invalid=true] { border: 0 !important; border-left: 3px solid var(--bad) !important; padding-left: .6rem; }
.errors { margin: 0; padding-left: 1.2rem; }
.papers { list-style: none; padding: 0; margin: 0; }
.papers li { padding: .75rem 0; border-top: 1px solid var(--line); }
.papers a { font-weight: 600; text-decoration: none; }
.papers a:hover { text-decoration: underline; }
.meta { color: var(--muted); font-size: .875rem; }
footer { color: var(--muted); font-size: .875rem; margin-top: 2.5rem; }
main.wide, header.site.wide { max-width: 64rem; }
.chart text.total { fill: var(--ink); } .chart text.date { fill: var(--muted); } .chart line { stroke: var(--line); }
details.erase { margin-top: 1rem; border-top: 1px solid var(--line); padding-top: .75rem; }
details.erase summary { cursor: pointer; color: var(--bad); font-weight: 600; }
.stats { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0; }
.stats div { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem; min-width: 7rem; }
.stats dt { color: var(--muted); font-size: .85rem; }
.stats dd { margin: 0; font-size: 1.4rem; font-weight: 700; }
.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .75rem; }
.legend { display: flex; gap: 1rem; font-size: .9rem; color: var(--muted); }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; border-radius: 2px; vertical-align: -1px; }
.swatch-sent { background: #1a7f37; } .swatch-skipped { background: #8c959f; } .swatch-failed { background: #cf222e; }
progress { width: 100%; height: 1rem; }
.inline { display: flex; gap: .5rem; } .inline input { flex: 1; }
.scroll { overflow-x: auto; }
.find + .card, .find + p { margin-top: .75rem; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-size: .9rem; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td form { margin: 0; } td button { padding: .25rem .7rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (max-width: 30rem) { .row { grid-template-columns: 1fr; } h1 { font-size: 1.4rem; } .card { padding: 1rem; } }
@media (max-width: 40rem) {
  .chart text { font-size: 21px; }
  .chart g.day:nth-last-child(even) text.date { display: none; }
}
`;

/** A folded paper with a red fold line: the site's icon at /favicon.ico and /assets/favicon.svg. */
export const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="4" y="3" width="24" height="26" rx="3" fill="#1f5fbf"/><path d="M9 10h14M9 15h14M9 20h9" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/></svg>`;

/**
 * Progressive enhancement: pre-select the browser's time zone in any form that
 * has not chosen one yet, under its current name (browsers built on ICU report
 * Asia/Calcutta for Asia/Kolkata). Without JavaScript the select keeps its
 * value (UTC).
 */
export const timezoneScript = `
(function () {
  var current = ${JSON.stringify(currentNameOf)};
  var tz; try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!tz) return;
  tz = current[tz] || tz;
  document.querySelectorAll('select[data-browser-tz]').forEach(function (select) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === tz; });
    if (!known) { var o = document.createElement('option'); o.value = tz; o.textContent = tz; select.appendChild(o); }
    select.value = tz;
  });
})();
`;
