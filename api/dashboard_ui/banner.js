// The banner a member company sees when a newer version of the regulation has been adopted and some of its
// mappings, carried to amended provisions, await review (`regtrace review --tenant T`). Self-contained: it
// asks `regulationBanner` whenever the dashboard has finished loading, and shows nothing otherwise.
import { gql, token } from "./gql.js";
import { statusNote } from "./status_note.js";

const QUERY = "query Banner { regulationBanner { version effective_from needs_review orphaned } }";

function banner() {
  return statusNote("version-banner", "version-banner");
}

async function refresh() {
  const node = banner();
  if (!token()) {
    node.hidden = true;
    return;
  }
  try {
    const { regulationBanner: b } = await gql(QUERY);
    if (!b) {
      node.hidden = true;
      return;
    }
    const from = b.effective_from ? `，${b.effective_from} 施行 / in force from ${b.effective_from}` : "";
    node.textContent =
      `法規新版本 ${b.version} 已採用${from}：${b.needs_review} 筆對應待覆核、${b.orphaned} 筆孤立對應` +
      ` — new regulation version ${b.version} adopted: ${b.needs_review} mappings await review,` +
      ` ${b.orphaned} orphaned (regtrace review)`;
    node.hidden = false;
  } catch {
    node.hidden = true; // the dashboard itself reports errors; the banner never blocks it
  }
}

let last = null;
new MutationObserver(() => {
  const state = document.body.dataset.state;
  if (state !== last && (state === "ready" || state === "login")) refresh();
  last = state;
}).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
