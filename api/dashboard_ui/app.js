// The board dashboard: signs in with a bearer token, asks the GraphQL API for coverage, gaps, the heatmap's
// article rows, certifications and findings as of a date, and shows one cell's trace on demand.

import { ApiError, AuthError, allPages, fetchFile, gql, setToken, token } from "./gql.js";
import { articleLabel, lang, setLang, t, translateStatic } from "./i18n.js";
import * as R from "./render.js";

const LANG_KEY = "regtrace.lang";
const ARTICLE_IDS = Array.from({ length: 13 }, (_, i) => `A${i + 1}`);
const COVERAGE = "key applicable covered percent counts { gap unevidenced stale covered not_applicable }";

const SUMMARY = `query Summary($asOf: Date) {
  viewer { name role tenant }
  company: companyName { display }
  approvals: fscApprovals(asOf: $asOf) { needing missing }
  overall: coverageOverall(asOf: $asOf) { ${COVERAGE} }
  byArticle: coverage(groupBy: ARTICLE, asOf: $asOf) { ${COVERAGE} }
  byArrangement: coverage(groupBy: ARRANGEMENT, asOf: $asOf) { ${COVERAGE} }
  byCsp: coverage(groupBy: CSP, asOf: $asOf) { ${COVERAGE} }
  gaps(asOf: $asOf, first: 10) { totalCount }
  board: boardView(asOf: $asOf) {
    certificates_expired certificates_expiring overdue_findings { severity count } expired_contracts
    approvals_needing approvals_missing arrangements { arrangement_id name in_effect } risks { kind subject obligations zh en }
  }
}`;

const DETAILS = `query Details($asOf: Date) {
  gaps(asOf: $asOf, first: 10) {
    totalCount
    edges { node { provision label article subject status modality reason reason_zh } }
  }
  certificationStates(asOf: $asOf, status: [expiring, expired]) {
    certification_id csp_id standard valid_until status days_left
  }
  findingStates(asOf: $asOf) { finding_id audit_id arrangement_id severity state due_on days_overdue }
  outsourcingArrangements(limit: 1000) { arrangement_id name material }
  cloudServiceProviders(limit: 1000) { csp_id name }
}`;

/** Coverage at the end of each of the last 8 quarters (regtrace.trace.trend): a trace per date, so it is asked
 * for after the rest of the page shows. */
const TREND = `query Trend($asOf: Date) {
  coverageTrend(asOf: $asOf) { date covered applicable percent }
}`;

const HEAT = `query Heat($asOf: Date, $provisions: [String!], $after: String) {
  trace(asOf: $asOf, provisions: $provisions, first: 1000, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { provision article subject status }
  }
}`;

/** A subject's obligations; `certifications` (the certificates counted as evidence) is asked for while the
 * server knows the field, and left out after a server without it refuses it. */
function cellQuery(withCertifications) {
  return `query Cell($asOf: Date, $subject: String) {
  trace(asOf: $asOf, subject: $subject, leavesOnly: true, first: 400) {
    nodes {
      provision label article leaf modality status reason reason_zh
      controls evidence contracts audits fresh_until cause { kind label_zh label_en details }${withCertifications ? " certifications" : ""}
    }
  }
}`;
}
let askCertifications = true;

/** The provisions' text (the regulation graph) and their mappings to ISO/IEC 27001, 27017 and CSA CCM ids. */
const PROVISIONS = `query Provisions($ids: [String!], $n: Int) {
  provisions(where: {provision_id_in: $ids}, limit: $n) {
    provision_id text mappings { relationship mapsControl { control_ref } }
  }
}`;

const EVIDENCE_SHOWN = 6; // evidence ids shown per obligation (render.js), whose dates are fetched
const EVIDENCE_CHUNK = 30; // lookups per request: validating many aliased fields costs O(n²)

/** One lookup by id per evidence item (batched into one store call by the API; a filter on evidence_id would
 * scan every evidence node). */
function evidenceQuery(count) {
  const ids = Array.from({ length: count }, (_, i) => `$e${i}: ID!`).join(", ");
  const lookups = Array.from({ length: count }, (_, i) =>
    `e${i}: evidence(id: $e${i}) { evidence_id title uri collected_on valid_until }`).join("\n  ");
  return `query Evidence(${ids}) {\n  ${lookups}\n}`;
}

const state = {
  viewer: null,
  summary: null,
  details: null, // null for a board token
  heat: null,
  arrangements: new Map(),
  csps: new Map(),
  selection: null, // {subject, article}
  trace: null,
  trend: null, // null while loading; [] never (the API answers 8 quarter ends)
  trendError: null,
  generation: 0,
};

const $ = (id) => document.getElementById(id);

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function asOf() {
  return $("as-of").value || today();
}

function setBusy(busy, message = "") {
  document.body.dataset.state = busy ? "loading" : "ready";
  $("status-line").textContent = message;
  $("status-line").classList.toggle("error", !busy && Boolean(message));
}

function replace(id, ...children) {
  $(id).replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

// ---- the view in the URL: ?date=YYYY-MM-DD&arrangement=ID&article=N (shareable; restored on load) ---------

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The view a URL names: {date, selection}; anything malformed is left out. */
function viewFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const date = params.get("date");
  const subject = params.get("arrangement");
  const article = Number(params.get("article"));
  return {
    date: date && DATE_RE.test(date) ? date : null,
    selection: subject && Number.isInteger(article) && article >= 1 && article <= 13 ? { subject, article } : null,
  };
}

/** The URL of the view shown: the date, and the arrangement and article of the open drill-down. */
function viewUrl() {
  const params = new URLSearchParams();
  params.set("date", asOf());
  if (state.selection && state.viewer?.role !== "board") {
    params.set("arrangement", state.selection.subject);
    params.set("article", String(state.selection.article));
  }
  const url = new URL(window.location.href);
  url.search = `?${params}`;
  return url.href;
}

function writeUrl() {
  const url = viewUrl();
  if (window.location.href !== url) window.history.replaceState(null, "", url);
}

// ---- downloads -------------------------------------------------------------------------------------------

const DOWNLOADS = { pdf: "report.pdf", xlsx: "traceability-matrix.xlsx" };

/** Build the PDF or XLSX of the date shown on the server and hand it to the browser as a file. */
async function download(format) {
  const day = asOf();
  const name = DOWNLOADS[format];
  const button = $(`download-${format}`);
  button.disabled = true;
  setBusy(true, t("download.building", { format: format.toUpperCase(), date: day }));
  try {
    const blob = await fetchFile(`export/${name}?asOf=${encodeURIComponent(day)}`);
    const link = h("a", { href: URL.createObjectURL(blob), download: `regtrace-${state.viewer.tenant}-${day}-${name}`,
      hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    setBusy(false);
  } catch (error) {
    if (error instanceof AuthError) return showLogin(t("login.invalid"));
    setBusy(false, t("download.failed", { message: error.message }));
  } finally {
    button.disabled = false;
  }
}

// ---- sign in / out ---------------------------------------------------------------------------------------

function showLogin(message = "") {
  state.viewer = null;
  $("dashboard").hidden = true;
  $("downloads").hidden = true;
  $("as-of-form").hidden = true;
  $("who").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
  document.body.dataset.state = "login";
  $("token").focus();
}

function logout() {
  setToken(null);
  state.generation += 1;
  Object.assign(state, { summary: null, details: null, heat: null, selection: null, trace: null, trend: null });
  $("token").value = "";
  $("status-line").textContent = "";
  showLogin();
}

async function login(event) {
  event.preventDefault();
  const value = $("token").value.trim();
  if (!value) {
    $("login-error").textContent = t("login.empty");
    return;
  }
  setToken(value);
  $("token").value = "";
  await loadAll();
}

// ---- loading ---------------------------------------------------------------------------------------------

async function loadAll() {
  const generation = ++state.generation;
  const day = asOf();
  setBusy(true, t("loading"));
  try {
    const summary = await gql(SUMMARY, { asOf: day });
    if (generation !== state.generation) return;
    const board = summary.viewer.role === "board";
    let details = null;
    let heat = null;
    if (!board) {
      [details, heat] = await Promise.all([
        gql(DETAILS, { asOf: day }),
        allPages(HEAT, { asOf: day, provisions: ARTICLE_IDS }, "trace"),
      ]);
    }
    let trace = null;
    if (!board && state.selection) trace = await loadTrace(state.selection, day);
    if (generation !== state.generation) return;
    state.viewer = summary.viewer;
    state.summary = { ...summary, gapTotal: summary.gaps.totalCount };
    state.details = details && {
      gaps: details.gaps.edges.map((e) => e.node),
      certs: details.certificationStates,
      findings: details.findingStates,
    };
    state.heat = heat;
    state.trace = trace;
    state.arrangements = new Map((details?.outsourcingArrangements || []).map((a) => [a.arrangement_id, a]));
    state.csps = new Map((details?.cloudServiceProviders || []).map((c) => [c.csp_id, c.name]));
    $("login").hidden = true;
    $("dashboard").hidden = false;
    $("as-of-form").hidden = false;
    $("who").hidden = false;
    $("logout").hidden = false;
    $("downloads").hidden = board;
    state.trend = null;
    state.trendError = null;
    render();
    writeUrl();
    setBusy(false);
    loadTrend(day, generation);
  } catch (error) {
    if (generation !== state.generation) return;
    if (error instanceof AuthError) {
      setToken(null);
      showLogin(t("login.invalid"));
      return;
    }
    setBusy(false, t("error", { message: error instanceof ApiError ? error.message : String(error) }));
  }
}

async function loadTrend(day, generation) {
  try {
    const data = await gql(TREND, { asOf: day });
    if (generation !== state.generation) return;
    state.trend = data.coverageTrend;
  } catch (error) {
    if (generation !== state.generation) return;
    if (error instanceof AuthError) return showLogin(t("login.invalid"));
    state.trendError = error.message;
  }
  renderTrend();
}

function renderTrend() {
  if (state.trendError) replace("trend", h("p", { class: "error" }, t("trend.failed", { message: state.trendError })));
  else if (!state.trend) replace("trend", h("p", { class: "hint" }, t("trend.loading")));
  else replace("trend", R.trendChart(state.trend));
}

/** The trace rows of a subject, asking for `certifications` unless the server does not know the field. */
async function subjectRows(subject, day) {
  if (askCertifications) {
    try {
      return (await gql(cellQuery(true), { asOf: day, subject })).trace.nodes;
    } catch (error) {
      const unknown = error instanceof ApiError && error.errors.some((e) => /certifications/.test(e.message || "")
        && e.extensions?.code === "GRAPHQL_VALIDATION_FAILED");
      if (!unknown) throw error;
      askCertifications = false;
    }
  }
  return (await gql(cellQuery(false), { asOf: day, subject })).trace.nodes;
}

/** A cell's obligations (leaves of the article for the subject), worst first, with each provision's text and
 * mapped framework ids, and the titles, links and dates of the evidence shown. */
async function loadTrace(selection, day) {
  const all = await subjectRows(selection.subject, day);
  const rows = all.filter((r) => r.article === selection.article);
  const ids = [...new Set(rows.flatMap((r) => r.evidence.slice(0, EVIDENCE_SHOWN)))];
  const chunks = [];
  for (let i = 0; i < ids.length; i += EVIDENCE_CHUNK) chunks.push(ids.slice(i, i + EVIDENCE_CHUNK));
  const provisionIds = rows.map((r) => r.provision);
  const [found, provisions] = await Promise.all([
    Promise.all(chunks.map((chunk) => gql(evidenceQuery(chunk.length),
      Object.fromEntries(chunk.map((id, i) => [`e${i}`, id])), { partial: true }))),
    provisionIds.length ? gql(PROVISIONS, { ids: provisionIds, n: provisionIds.length }) : { provisions: [] },
  ]);
  const byId = new Map(found.flatMap((data) => Object.values(data || {})).filter(Boolean)
    .map((e) => [e.evidence_id, e]));
  const text = new Map(provisions.provisions.map((p) => [p.provision_id, p]));
  const rank = (r) => R.STATUSES.indexOf(r.status);
  return rows.map((r, i) => ({ ...r, order: i })).sort((a, b) => rank(a) - rank(b) || a.order - b.order)
    .map((r) => ({
      ...r,
      text: text.get(r.provision)?.text ?? null,
      mappings: text.get(r.provision)?.mappings ?? [],
      certifications: r.certifications ?? [],
      evidence_nodes: r.evidence.slice(0, EVIDENCE_SHOWN).map((id) => byId.get(id)).filter(Boolean),
    }));
}

async function select(subject, article) {
  const selection = { subject, article };
  state.selection = selection;
  const generation = state.generation;
  setBusy(true, t("loading"));
  try {
    const trace = await loadTrace(selection, asOf());
    if (generation !== state.generation || state.selection !== selection) return;
    state.trace = trace;
    render();
    writeUrl();
    setBusy(false);
    $("trace").scrollIntoView({ block: "start" });
  } catch (error) {
    if (error instanceof AuthError) return showLogin(t("login.invalid"));
    setBusy(false, t("error", { message: error.message }));
  }
}

function closeTrace() {
  state.selection = null;
  state.trace = null;
  render();
  writeUrl();
}

// ---- rendering -------------------------------------------------------------------------------------------

function cspLabel(key) {
  const name = state.csps.get(key);
  return name ? `${key} ${name}` : key;
}

function render() {
  translateStatic();
  if (!state.summary) return;
  const { summary, details, viewer } = state;
  const board = viewer.role === "board";
  const company = summary.company?.display ?? viewer.tenant;
  $("who").textContent = t("who", { tenant: company, role: t(`role.${viewer.role}`) });
  $("board-note").hidden = !board;
  $("trace").hidden = board; // no trace, gap list, certificates or findings in detail for the board
  $("detail-row").hidden = board;
  const subjects = summary.board.arrangements.filter((a) => a.in_effect).length;
  replace("kpis", R.kpis(summary, subjects));
  replace("risks", R.riskList(summary.board.risks));
  $("trend-card").hidden = false;
  renderTrend();
  replace("legend", R.legend());
  replace("bars-article", R.bars(summary.byArticle, (k) => articleLabel(k), "bar-article"));
  replace("bars-csp", R.bars(summary.byCsp, cspLabel, "bar-csp"));
  if (board) {
    const names = new Map(summary.board.arrangements.map((a) => [a.arrangement_id, a]));
    replace("heatmap", R.boardTable(summary, names));
    for (const id of ["trace-body", "gaps", "certs", "findings"]) replace(id);
  } else {
    replace("heatmap", R.heatmap(state.heat, summary, state.arrangements, state.selection, select));
    replace("trace-body", traceBody());
    replace("gaps", details.gaps.length ? R.gapList(details.gaps, state.arrangements)
      : h("p", { class: "empty" }, t("gaps.none")));
    replace("certs", R.certTable(details.certs, state.csps));
    replace("findings", R.findingTable(details.findings, state.arrangements));
  }
  $("gaps-total").textContent = t("gaps.total", { total: summary.gapTotal });
}

function traceBody() {
  const sel = state.selection;
  if (!sel || !state.trace) return h("p", { class: "hint" }, t("trace.hint"));
  const mine = state.trace.filter((r) => r.article === sel.article);  // loaded for this selection
  const rollUp = state.heat.find((r) => r.subject === sel.subject && r.article === sel.article)?.status;
  return R.traceTable(mine.filter((r) => r.leaf), sel, state.arrangements, rollUp, closeTrace,
    viewUrl());
}

const h = R.h;

// ---- start -----------------------------------------------------------------------------------------------

function start() {
  setLang(localStorage.getItem(LANG_KEY) || "zh-TW");
  translateStatic();
  const view = viewFromUrl();
  $("as-of").value = view.date || today();
  state.selection = view.selection;
  $("login-form").addEventListener("submit", login);
  $("logout").addEventListener("click", logout);
  $("lang-toggle").addEventListener("click", () => {
    setLang(lang() === "zh-TW" ? "en" : "zh-TW");
    localStorage.setItem(LANG_KEY, lang());
    render();
  });
  $("as-of").addEventListener("change", () => {
    if ($("as-of").value && state.viewer) loadAll();
  });
  $("as-of-form").addEventListener("submit", (e) => e.preventDefault());
  $("today").addEventListener("click", () => {
    $("as-of").value = today();
    loadAll();
  });
  for (const format of Object.keys(DOWNLOADS)) $(`download-${format}`).addEventListener("click", () => download(format));
  if (token()) loadAll();
  else showLogin();
}

start();
