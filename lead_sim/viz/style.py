"""The page's style sheet: the two-column layout that stacks on narrow screens, the run bar
that stays in view, visible keyboard focus, legible help text."""

from __future__ import annotations

from lead_sim.viz.palette import FOCUS

PAGE_CSS = """
.lead-root { width: 100%; }
.lead-page { max-width: 1500px; margin: 0 auto; padding: 0 12px 24px; color: #1a1a1a; }
.lead-h1 { font-size: 1.35rem; line-height: 1.3; margin: 10px 0 6px; font-weight: 600; }
.lead-h2 { font-size: 1.1rem; margin: 4px 0 8px; font-weight: 600; }
.lead-h3 { font-size: 1rem; margin: 8px 0 4px; font-weight: 600; }
.lead-runbar {
    position: sticky; top: 0; z-index: 10; background: #ffffff;
    border-bottom: 1px solid #cccccc; padding: 6px 0; margin-bottom: 10px;
}
.lead-runbar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 24px; }
.lead-runbar > .lead-warmup, .lead-runbar > .v-alert { flex: 1 0 100%; margin: 4px 0; }
.lead-when { min-width: 230px; }
.lead-runbar-row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px;
    margin: 2px 0; }
.lead-headline-date { font-size: 1.15rem; font-weight: 700; }
.lead-daycount, .lead-small { font-size: 0.85rem; color: #444; }
.lead-layout { display: grid; grid-template-columns: 330px minmax(0, 1fr); gap: 16px; }
.lead-side { min-width: 0; }
.lead-main { min-width: 0; display: flex; flex-direction: column; gap: 12px; }
.lead-card { border: 1px solid #d6d6d6; border-radius: 6px; padding: 10px 12px;
    background: #ffffff; }
.lead-card-head { display: flex; justify-content: space-between; align-items: center; }
.lead-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
    gap: 12px; }
.lead-grid > * { min-width: 0; }
.lead-help { font-size: 0.85rem; color: #444; margin: 2px 0 10px; display: block; }
.lead-lever-now { font-size: 0.85rem; display: block; }
.lead-figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr));
    gap: 4px 16px; margin: 6px 0; }
.lead-figures > div { font-size: 0.95rem; }
.lead-figures strong { font-weight: 700; }
.lead-about p, .lead-questions { font-size: 0.92rem; margin-bottom: 6px; }
.lead-questions { padding-left: 20px; }
.lead-questions li { margin-bottom: 4px; }
.lead-questions span { color: #333; }
.lead-term { text-decoration: underline dotted; cursor: help; position: relative; }
.lead-term:hover::after, .lead-term:focus::after {
    content: attr(data-tip); position: absolute; left: 0; top: 1.5em; z-index: 30;
    width: min(260px, 80vw); background: #1a1a1a; color: #ffffff; padding: 6px 8px;
    border-radius: 4px; font-size: 0.8rem; line-height: 1.3; font-weight: normal;
    white-space: normal; text-decoration: none;
}
.lead-table { border-collapse: collapse; font-size: 0.85rem; }
.lead-table th, .lead-table td { padding: 2px 6px; border-bottom: 1px solid #e0e0e0;
    text-align: right; }
.lead-table th[scope=row] { text-align: left; font-weight: normal; }
.lead-map svg, .lead-chart svg { display: block; max-width: 100%; height: auto; }
.lead-chart-narrow { max-width: 620px; }
.lead-map svg { max-height: calc(100vh - 180px); margin: 0 auto; }
.lead-evidence table { border-collapse: collapse; font-size: 0.85rem; }
.lead-evidence td, .lead-evidence th { border: 1px solid #ddd; padding: 3px 5px;
    vertical-align: top; }
.lead-evidence tr:target { background: #fff3c4; outline: 3px solid #A86B00; }
a { color: #0059a0; }
.lead-page .v-alert .v-alert__content, .lead-page .v-alert { color: #0b3d66 !important; }
.lead-page .v-btn { max-width: 100%; }
.lead-page .v-btn__content { white-space: normal; }
:focus-visible, .v-btn:focus-visible, .lead-term:focus {
    outline: 3px solid FOCUS !important; outline-offset: 2px;
}
.v-slider__thumb-container:focus-within .v-slider__thumb { box-shadow: 0 0 0 4px FOCUS; }
/* Vuetify puts a slider's label inline, leaving long labels a few pixels of track: put each
   label on a line of its own above its track. */
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
    flex: 1 0 100%; max-width: 100%; height: auto; white-space: normal; line-height: 1.3;
    margin: 0 0 2px 0;
}
.v-input__slider .v-input__slot > .v-slider { flex: 1 0 100%; margin: 0; }
@media (max-width: 900px) {
    .lead-layout { grid-template-columns: minmax(0, 1fr); }
    .lead-side { order: 2; }
    .lead-main { order: 1; }
    .lead-grid { grid-template-columns: minmax(0, 1fr); }
    .lead-h1 { font-size: 1.1rem; }
}
@media (max-width: 600px) {
    .lead-runbar { gap: 2px 12px; padding: 4px 0; }
    .lead-runbar-row { gap: 4px 8px; }
    .lead-runbar .v-btn:not(.v-btn--icon) { padding: 0 10px; min-width: 0; }
    .lead-headline-date { font-size: 1rem; }
}
""".replace("FOCUS", FOCUS)
