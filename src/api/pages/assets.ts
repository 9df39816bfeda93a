/**
 * The one stylesheet and the one script every page shares, served by the app
 * under /assets/ (no build step, cacheable, allowed by the CSP's 'self').
 * Colours meet WCAG AA contrast; focus is always visible; the layout is one
 * column that fits a 375 px phone.
 */
export const stylesheet = `
:root { --ink:#1f2328; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; --card:#fff; --accent:#1f5fbf; --accent-ink:#fff; --ok:#1a7f37; --bad:#cf222e; }
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
label, legend { display: block; font-weight: 600; margin: 0 0 .35rem; }
.field { margin: 0 0 1.1rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0 0; }
input[type=email], input[type=text], select { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--ink); }
fieldset { border: 0; padding: 0; margin: 0 0 1.1rem; min-width: 0; }
.topics { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: .35rem .75rem; }
.topics label, .choice label { font-weight: 400; display: flex; gap: .5rem; align-items: center; margin: 0; padding: .2rem 0; }
.choice { display: flex; gap: 1.25rem; flex-wrap: wrap; }
input[type=checkbox], input[type=radio] { width: 1.15rem; height: 1.15rem; accent-color: var(--accent); }
.row { display: grid; grid-template-columns: 1fr 2fr; gap: .75rem; }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .65rem 1.3rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; }
button.secondary { background: #fff; color: var(--accent); }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; align-items: center; margin-top: 1rem; }
.actions form { margin: 0; }
:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.notice { border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.notice.ok { background: #dafbe1; border-color: #4ac26b; color: #0f5323; }
.notice.bad { background: #ffebe9; border-color: #ff8182; color: #82071e; }
.errors { margin: 0; padding-left: 1.2rem; }
.papers { list-style: none; padding: 0; margin: 0; }
.papers li { padding: .75rem 0; border-top: 1px solid var(--line); }
.papers a { font-weight: 600; text-decoration: none; }
.papers a:hover { text-decoration: underline; }
.meta { color: var(--muted); font-size: .875rem; }
footer { color: var(--muted); font-size: .875rem; margin-top: 2.5rem; }
main.wide { max-width: 64rem; }
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
`;

/**
 * Progressive enhancement: pre-select the browser's time zone in any form that
 * has not chosen one yet. Without JavaScript the select keeps its value (UTC).
 */
export const timezoneScript = `
(function () {
  var tz; try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!tz) return;
  document.querySelectorAll('select[data-browser-tz]').forEach(function (select) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === tz; });
    if (!known) { var o = document.createElement('option'); o.value = tz; o.textContent = tz; select.appendChild(o); }
    select.value = tz;
  });
})();
`;
