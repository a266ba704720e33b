// When the trace the dashboard shows was computed, whenever it is not the current one: the server answers from its
// previous trace while it computes the new one (after a start, a load or a change; api/precompute.py), and a
// compliance officer must never take that answer for the current state. Self-contained: it asks `traceState`
// for the date shown whenever the dashboard has finished loading, asks again every few seconds while a newer
// trace computes, and then loads the dashboard again.
import { gql, token } from "./gql.js";
import { statusNote } from "./status_note.js";
import { lang, t } from "./i18n.js";

const QUERY = "query TraceState($asOf: Date) { traceState(asOf: $asOf) { asOf computedAt fresh computing } }";
const POLL_MS = 3000;
let timer = null;
let shownStale = false;

function note() {
  return statusNote("trace-state", "trace-state");
}

function shownDate() {
  return document.getElementById("as-of")?.value || null;
}

async function refresh() {
  clearTimeout(timer);
  const node = note();
  if (!token()) {
    node.hidden = true;
    return;
  }
  try {
    const { traceState: s } = await gql(QUERY, { asOf: shownDate() });
    if (s.fresh || !s.computedAt) {
      node.hidden = true;
      if (shownStale && s.fresh) {  // the newer trace is ready: show it
        shownStale = false;
        document.getElementById("as-of")?.dispatchEvent(new Event("change"));
      } else if (!s.fresh && s.computing) {
        timer = setTimeout(refresh, POLL_MS);
      }
      return;
    }
    const at = new Date(s.computedAt).toLocaleString(lang() === "zh-TW" ? "zh-TW" : "en-GB");
    node.textContent = t(s.computing ? "traceState.updating" : "traceState.stale", { at, asOf: s.asOf });
    node.hidden = false;
    shownStale = true;
    if (s.computing) timer = setTimeout(refresh, POLL_MS);
  } catch {
    node.hidden = true; // the dashboard itself reports errors; this note never blocks it
  }
}

let last = null;
new MutationObserver(() => {
  const state = document.body.dataset.state;
  if (state !== last && (state === "ready" || state === "login")) refresh();
  last = state;
}).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
