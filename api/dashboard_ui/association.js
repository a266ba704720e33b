// The associations' view: signs in with an association (or admin) token and shows the `sector` query's figures.
// Every number on the page is one the API returned; the API returns no member's name or data.

import { AuthError, gql, setToken, token } from "./gql.js";

const FIGURE = "members withheld coverage { q1 median q3 }";
const SECTOR = `query Sector($asOf: Date) {
  sector(asOf: $asOf) {
    as_of min_members quartile_method
    overall { ${FIGURE} }
    articles { article ${FIGURE} }
    obligations { provision label article ${FIGURE} }
    common_gaps { provision label article members members_with_gap percent }
  }
}`;
// The trend asks each member's trace at 8 quarter ends: a second request, so the figures above show first.
const TREND = `query SectorTrend($asOf: Date) { sector(asOf: $asOf) { trend { date ${FIGURE} } } }`;

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

const pct = (v) => `${v.toFixed(1)}%`;

function figureCells(f) {
  if (f.withheld) {
    return [el("td", { colspan: "4", class: "withheld", "data-withheld": "true" }, "不予揭露（少於 5 家）withheld (fewer than 5 members)")];
  }
  return [
    el("td", { class: "num", "data-field": "members" }, String(f.members)),
    el("td", { class: "num", "data-field": "q1" }, pct(f.coverage.q1)),
    el("td", { class: "num", "data-field": "median" }, pct(f.coverage.median)),
    el("td", { class: "num", "data-field": "q3" }, pct(f.coverage.q3)),
  ];
}

function table(id, heads, rows) {
  const head = el("tr", {}, ...heads.map((h, i) => el("th", i ? { scope: "col", class: "num" } : { scope: "col" }, h)));
  const body = el("tbody", {}, ...rows);
  $(id).replaceChildren(el("table", { class: "plain" }, el("thead", {}, head), body));
}

const FIGURE_HEADS = ["會員數 Members", "Q1", "中位數 Median", "Q3"];

function renderTrend(trend) {
  table("trend", ["日期 Date", ...FIGURE_HEADS], trend.map((p) =>
    el("tr", { "data-date": p.date }, el("th", { scope: "row" }, p.date), ...figureCells(p))));
}

function render(sector) {
  $("method").textContent = `每項數字至少 ${sector.min_members} 家會員，未達者不予揭露；四分位數以 ${sector.quartile_method}` +
    ` 法計算（同 Excel QUARTILE.INC），不列最小值與最大值。 Every figure is over at least ${sector.min_members}` +
    ` members, otherwise withheld; quartiles by the ${sector.quartile_method} method (Excel QUARTILE.INC);` +
    " never the minimum or maximum.";
  const o = sector.overall;
  const kpi = (label, value, field) => el("div", { class: "kpi" }, el("div", { class: "kpi-label" }, label),
    el("div", { class: "kpi-value", "data-field": field }, value));
  $("kpis").replaceChildren(...(o.withheld
    ? [kpi("整體 Overall", "不予揭露 withheld", "overall")]
    : [kpi("會員數 Members", String(o.members), "members"), kpi("整體中位數 Median", pct(o.coverage.median), "median"),
      kpi("Q1", pct(o.coverage.q1), "q1"), kpi("Q3", pct(o.coverage.q3), "q3")]));
  table("articles", ["條 Article", ...FIGURE_HEADS], sector.articles.map((a) =>
    el("tr", { "data-article": String(a.article) }, el("th", { scope: "row" }, `第${a.article}條 Art. ${a.article}`),
      ...figureCells(a))));
  table("gaps", ["條文 Provision", "有缺口會員 Members with gap", "會員數 Members", "%"], sector.common_gaps.map((g) =>
    el("tr", { "data-provision": g.provision }, el("th", { scope: "row" }, `${g.label} (${g.provision})`),
      el("td", { class: "num", "data-field": "members_with_gap" }, String(g.members_with_gap)),
      el("td", { class: "num", "data-field": "members" }, String(g.members)),
      el("td", { class: "num", "data-field": "percent" }, pct(g.percent)))));
  if (!sector.common_gaps.length) $("gaps").append(el("p", { class: "empty" }, "無可揭露之缺口 no gap to show"));
  table("obligations", ["條文 Provision", ...FIGURE_HEADS], sector.obligations.map((ob) =>
    el("tr", { "data-provision": ob.provision }, el("th", { scope: "row" }, `${ob.label} (${ob.provision})`),
      ...figureCells(ob))));
}

async function load() {
  const asOf = $("as-of").value || null;
  $("status-line").textContent = "讀取中 loading…";
  try {
    document.body.dataset.state = "loading";
    const data = await gql(SECTOR, { asOf });
    render(data.sector);
    $("trend").replaceChildren(el("p", { class: "hint" }, "讀取中 loading…"));
    $("sector").hidden = false;
    $("as-of-form").hidden = false;
    $("logout").hidden = false;
    $("login").hidden = true;
    $("status-line").textContent = `基準日 As of ${data.sector.as_of}`;
    try {
      renderTrend((await gql(TREND, { asOf })).sector.trend);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      $("trend").replaceChildren(el("p", { class: "error" }, `趨勢無法取得 trend unavailable: ${error.message}`));
    }
    document.body.dataset.state = "ready";
  } catch (error) {
    if (error instanceof AuthError) {
      setToken(null);
      showLogin(error.message);
      return;
    }
    $("status-line").textContent = `錯誤 Error: ${error.message}`;
    document.body.dataset.state = "error";
  }
}

function showLogin(message = "") {
  $("sector").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("login-error").textContent = message;
  $("status-line").textContent = "";
  document.body.dataset.state = "login";
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken($("token").value.trim());
  $("token").value = "";
  load();
});
$("logout").addEventListener("click", () => {
  setToken(null);
  showLogin();
});
$("as-of").addEventListener("change", () => load());
const asked = new URLSearchParams(location.search).get("asOf");
if (asked) $("as-of").value = asked;
if (token()) load();
else showLogin();
