// DOM builders for the dashboard's sections. Everything is built with createElement and text nodes (no
// innerHTML), so data from the registers can never become markup.

import { articleLabel, lang, t } from "./i18n.js";

export const STATUSES = ["gap", "unevidenced", "stale", "covered", "not_applicable"];
const ICONS = { gap: "✕", unevidenced: "○", stale: "◐", covered: "✓", not_applicable: "–" };
const LIST_LIMIT = 20;

/** h("td", {class: "x", onclick: f}, child, "text") */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function percentText(percent) {
  return percent === null || percent === undefined ? t("dash") : `${Number(percent).toFixed(1)}%`;
}

/** A status as icon and words (never colour alone). */
export function statusBadge(status) {
  return h("span", { class: `status s-${status}`, dataset: { status } },
    h("span", { class: "icon", "aria-hidden": "true" }, ICONS[status] || "?"), " ", t(`status.${status}`));
}

export function subjectName(subject, arrangements) {
  if (subject === "company") return t("company");
  const a = arrangements?.get(subject);
  return a ? `${subject} ${a.name}` : subject;
}

function cspName(cspId, csps) {
  const name = csps?.get(cspId);
  return name ? `${cspId} ${name}` : cspId;
}

export function legend() {
  return h("ul", { class: "legend", "aria-label": t("legend") },
    STATUSES.map((s) => h("li", {}, statusBadge(s))));
}

/** The KPI cards, the same for every role: coverage and gaps (the trace), then what the board answers for
 * (boardView: FSC approvals, certificates, overdue findings by severity, expired contracts). */
export function kpis(summary, subjects) {
  const o = summary.overall;
  const b = summary.board;
  const overdue = b.overdue_findings.reduce((n, f) => n + f.count, 0);
  const bySeverity = b.overdue_findings.map((f) => `${t(`severity.${f.severity}`)} ${f.count}`).join(" · ");
  const cards = [
    ["kpi-coverage", t("kpi.coverage"), percentText(o.percent), t("kpi.coverageOf", o)],
    ["kpi-gaps", t("kpi.gaps"), String(summary.gapTotal), t("kpi.gapsNote")],
    ["kpi-subjects", t("kpi.subjects"), String(subjects), t("kpi.subjectsNote")],
    ["kpi-approvals", t("kpi.approvals"), String(b.approvals_missing),
      t("kpi.approvalsNote", { needing: b.approvals_needing })],
    ["kpi-certs", t("kpi.certsExpired"), String(b.certificates_expired),
      t("kpi.certsExpiring", { expiring: b.certificates_expiring })],
    ["kpi-findings", t("kpi.findingsOverdue"), String(overdue), bySeverity],
    ["kpi-contracts", t("kpi.contracts"), String(b.expired_contracts), t("kpi.contractsNote")],
  ];
  return cards.map(([id, label, value, note]) =>
    h("div", { class: "kpi", id },
      h("div", { class: "kpi-label" }, label),
      h("div", { class: "kpi-value", dataset: { testid: "value" } }, value),
      h("div", { class: "kpi-note" }, note)));
}

/** The top risks in words (boardView.risks: no evidence or control details), worst first. */
export function riskList(risks) {
  if (!risks.length) return h("p", { class: "empty" }, t("risks.none"));
  return h("ol", { class: "risks", id: "risk-list" },
    risks.map((r) => h("li", { dataset: { kind: r.kind, subject: r.subject ?? "" } }, lang() === "zh-TW" ? r.zh : r.en)));
}

/** Bars of % covered per group. */
export function bars(groups, labelOf, idPrefix) {
  if (!groups.length) return h("p", { class: "empty" }, t("none"));
  return h("ul", { class: "bars" }, groups.map((g) => {
    const label = labelOf(g.key);
    const value = g.applicable ? t("bars.value", { percent: percentText(g.percent), covered: g.covered,
      applicable: g.applicable }) : t("bars.noneApply");
    const fill = h("span", { class: "bar-fill" });
    fill.style.width = `${g.percent || 0}%`;
    return h("li", { id: `${idPrefix}-${g.key}`, dataset: { percent: g.percent ?? "" } },
      h("span", { class: "bar-label", title: label }, label),
      h("span", { class: "bar-track", role: "img", "aria-label": `${label}: ${value}` }, fill),
      h("span", { class: "bar-value" }, value));
  }));
}

/** The heatmap: a table, arrangements (and the company) down, articles across, each cell a button. */
export function heatmap(heat, summary, arrangements, selection, onSelect) {
  const articles = [...new Set(heat.map((r) => r.article))].sort((a, b) => a - b);
  const cells = new Map(heat.map((r) => [`${r.subject}|${r.article}`, r.status]));
  const percentOf = new Map(summary.byArrangement.map((c) => [c.key, c]));
  const articlePercent = new Map(summary.byArticle.map((c) => [String(c.key), c]));
  const subjects = [...new Set(heat.map((r) => r.subject))].sort((a, b) =>
    a === "company" ? -1 : b === "company" ? 1 : a.localeCompare(b));
  if (!subjects.length) return h("p", { class: "empty" }, t("heatmap.empty"));
  const head = h("tr", {},
    h("th", { scope: "col", class: "subject-col" }, t("heatmap.subject")),
    articles.map((a) => h("th", { scope: "col", dataset: { article: a } }, articleLabel(a))),
    h("th", { scope: "col", class: "pct-col" }, t("heatmap.percent")));
  const body = subjects.map((subject) => {
    const name = subjectName(subject, arrangements);
    const c = percentOf.get(subject);
    return h("tr", { dataset: { subject } },
      h("th", { scope: "row", class: "subject-col", title: name },
        subject === "company" ? [h("span", {}, t("company")), h("small", {}, t("companyNote"))] : name),
      articles.map((article) => {
        const status = cells.get(`${subject}|${article}`);
        const label = t("heatmap.cell", { subject: name, article: articleLabel(article),
          status: status ? t(`status.${status}`) : t("heatmap.noRows") });
        if (!status) return h("td", { class: "cell none", "aria-label": label, title: label }, h("span", { "aria-hidden": "true" }, "·"));
        const selected = selection && selection.subject === subject && selection.article === article;
        return h("td", { class: `cell s-${status}`, dataset: { status } },
          h("button", { type: "button", "aria-label": label, title: label, "aria-pressed": selected ? "true" : "false",
            dataset: { subject, article }, onclick: () => onSelect(subject, article) },
          h("span", { class: "icon", "aria-hidden": "true" }, ICONS[status]),
          h("span", { class: "cell-text", "aria-hidden": "true" }, t(`status.${status}`))));
      }),
      h("td", { class: "pct-col", dataset: { percent: c?.percent ?? "" } }, percentText(c?.percent)));
  });
  const foot = h("tr", {},
    h("th", { scope: "row", class: "subject-col" }, t("heatmap.articlePercent")),
    articles.map((a) => {
      const c = articlePercent.get(String(a));
      return h("td", { class: "pct-col", dataset: { article: a, percent: c?.percent ?? "" } }, percentText(c?.percent));
    }),
    h("td", { class: "pct-col" }, percentText(summary.overall.percent)));
  return h("table", { class: "heatmap", id: "heatmap-table" },
    h("caption", {}, t("heatmap.caption")),
    h("thead", {}, head), h("tbody", {}, body), h("tfoot", {}, foot));
}

/** For a board token: coverage per arrangement, named (no per-article detail). */
export function boardTable(summary, names) {
  const label = (key) => (key === "company" ? t("company") : names.get(key) ? `${key} ${names.get(key).name}` : key);
  return h("table", { class: "plain", id: "board-table" },
    h("caption", {}, t("heatmap.boardTitle")),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("heatmap.subject")), STATUSES.map((s) => h("th", { scope: "col" }, statusBadge(s))),
      h("th", { scope: "col" }, t("heatmap.percent")))),
    h("tbody", {}, summary.byArrangement.map((c) => h("tr", { dataset: { subject: c.key } },
      h("th", { scope: "row" }, label(c.key)),
      STATUSES.map((s) => h("td", { class: "num" }, String(c.counts[s]))),
      h("td", { class: "num pct-col", dataset: { percent: c.percent ?? "" } }, percentText(c.percent))))));
}

const IDS_SHOWN = 6;

function ids(list, className) {
  if (!list.length) return t("dash");
  const shown = list.slice(0, IDS_SHOWN);
  return h("ul", { class: `ids ids-${className}`, title: list.join(" ") }, shown.map((x) => h("li", {}, x)),
    list.length > shown.length ? h("li", { class: "more" }, t("more", { n: list.length - shown.length })) : null);
}

/** A link for an evidence item's uri when it is a web address (never javascript: or data:); null otherwise. */
function webLink(uri) {
  if (!uri) return null;
  try {
    const url = new URL(uri);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function evidenceCell(row) {
  if (!row.evidence.length) return t("dash");
  const byId = new Map((row.evidence_nodes || []).map((e) => [e.evidence_id, e]));
  const shown = row.evidence.slice(0, IDS_SHOWN); // app.js EVIDENCE_SHOWN: the ids whose details were fetched
  return h("ul", { class: "ids evidence" },
    shown.map((id) => {
      const e = byId.get(id);
      const dates = e ? `${e.collected_on} → ${e.valid_until || t("noEvidenceDates")}` : "";
      const href = webLink(e?.uri);
      const title = e?.title ? (href ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, e.title)
        : h("span", { class: "title" }, e.title)) : null;
      return h("li", { dataset: { evidence: id } }, title, title ? " " : null, h("code", {}, id),
        dates ? h("span", { class: "dates" }, ` ${dates}`) : null);
    }),
    row.evidence.length > shown.length ? h("li", {}, t("more", { n: row.evidence.length - shown.length })) : null);
}

function detailText(value) {
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** Why the row has its status: each cause (its ontology label and the ids and dates involved), else the reason. */
function causeCell(row) {
  const reason = lang() === "zh-TW" ? row.reason_zh : row.reason;
  if (!row.cause?.length) return h("span", { class: "reason" }, reason);
  return h("ul", { class: "causes" }, row.cause.map((c) => {
    const parsed = typeof c.details === "string" ? JSON.parse(c.details) : c.details; // a JSONString
    const details = Object.entries(parsed || {}).filter(([, v]) => v !== null && v !== "" &&
      !(Array.isArray(v) && !v.length)).map(([k, v]) => `${k} ${detailText(v)}`).join("; ");
    return h("li", { dataset: { cause: c.kind } }, lang() === "zh-TW" ? c.label_zh : c.label_en,
      details ? h("small", {}, ` (${details})`) : null);
  }));
}

/** The ISO/IEC 27001, 27017 and CSA CCM control ids the provision is mapped to, with the relationship. */
function mappedCell(row) {
  if (!row.mappings?.length) return t("dash");
  const refs = [...row.mappings].sort((a, b) => a.mapsControl.control_ref.localeCompare(b.mapsControl.control_ref));
  return h("ul", { class: "ids mapped" }, refs.map((m) => h("li", { title: t("mapped.relationship",
    { relationship: m.relationship }) }, h("code", {}, m.mapsControl.control_ref), " ",
  h("small", {}, m.relationship))));
}

function statusCell(row) {
  const certs = row.certifications || [];
  return [statusBadge(row.status), certs.length ? h("div", { class: "cert-evidence", title: certs.join(", ") },
    t("trace.certEvidence"), " ", h("small", {}, certs.join(", "))) : null];
}

/** The obligations of one article for one subject, worst first, with what each requires and what decides
 * its status; `link` is the URL of this view (shareable). */
export function traceTable(rows, selection, arrangements, rollUp, onClose, link) {
  const name = subjectName(selection.subject, arrangements);
  const heading = t("trace.heading", { subject: name, article: articleLabel(selection.article),
    status: rollUp ? t(`status.${rollUp}`) : t("heatmap.noRows") });
  const header = h("div", { class: "trace-head" },
    h("h3", { id: "trace-heading" }, heading),
    h("span", {},
      h("a", { id: "share-link", href: link, title: t("trace.shareTitle") }, t("trace.share")),
      h("button", { type: "button", class: "link", id: "trace-close", onclick: onClose }, t("trace.close"))));
  if (!rows.length) return [header, h("p", { class: "empty" }, t("trace.none"))];
  const cols = ["provision", "status", "cause", "controls", "evidence", "mapped", "freshUntil", "contracts", "audits"];
  const body = rows.map((r) => h("tr", { dataset: { provision: r.provision, status: r.status },
    class: r.status === "not_applicable" ? "muted" : null },
  h("th", { scope: "row", class: "provision" }, h("code", {}, r.provision), " ",
    r.modality ? h("span", { class: "modality" }, t(`modality.${r.modality}`)) : null,
    h("small", {}, r.label), r.text ? h("p", { class: "provision-text" }, r.text) : null),
  h("td", {}, statusCell(r)),
  h("td", { class: "reason" }, causeCell(r)),
  h("td", {}, ids(r.controls, "controls")),
  h("td", {}, evidenceCell(r)),
  h("td", {}, mappedCell(r)),
  h("td", { class: "nowrap" }, r.fresh_until || t("dash")),
  h("td", {}, ids(r.contracts, "contracts")),
  h("td", {}, ids(r.audits, "audits"))));
  const table = h("table", { class: "plain trace", id: "trace-table", "aria-labelledby": "trace-heading" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(`col.${c}`))))),
    h("tbody", {}, body));
  return [header, h("div", { class: "scroll-x" }, table)];
}

export function gapList(gaps, arrangements) {
  return h("ol", { class: "gaps", id: "gap-list" },
    gaps.map((g) => h("li", { dataset: { provision: g.provision, subject: g.subject, status: g.status } },
      statusBadge(g.status),
      h("span", { class: "gap-what" }, h("code", {}, g.provision), " ", g.label),
      h("span", { class: "gap-who" }, subjectName(g.subject, arrangements)),
      g.modality ? h("span", { class: "modality" }, t(`modality.${g.modality}`)) : null)));
}

function more(total) {
  return total > LIST_LIMIT ? h("p", { class: "more" }, t("more", { n: total - LIST_LIMIT })) : null;
}

export function certTable(certs, csps) {
  if (!certs.length) return h("p", { class: "empty" }, t("certs.none"));
  const order = (c) => (c.status === "expiring" ? [0, c.days_left] : [1, -c.days_left]);
  const sorted = [...certs].sort((a, b) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1]);
  const cols = ["certification", "csp", "standard", "validUntil", "state"];
  return [h("table", { class: "plain compact", id: "cert-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(`col.${c}`))))),
    h("tbody", {}, sorted.slice(0, LIST_LIMIT).map((c) => h("tr", { dataset: { status: c.status } },
      h("th", { scope: "row" }, h("code", {}, c.certification_id)),
      h("td", {}, cspName(c.csp_id, csps)),
      h("td", {}, c.standard),
      h("td", { class: "nowrap" }, c.valid_until),
      h("td", {}, h("span", { class: `cert c-${c.status}` }, t(`cert.${c.status}`)), " ",
        h("small", {}, c.days_left >= 0 ? t("certs.daysLeft", { days: c.days_left })
          : t("certs.expiredAgo", { days: -c.days_left }))))))),
  more(sorted.length)];
}

export function findingTable(findings, arrangements) {
  if (!findings.length) return h("p", { class: "empty" }, t("findings.none"));
  const cols = ["finding", "arrangement", "severity", "dueOn", "state"];
  return [h("table", { class: "plain compact", id: "finding-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(`col.${c}`))))),
    h("tbody", {}, findings.slice(0, LIST_LIMIT).map((f) => h("tr", { dataset: { state: f.state } },
      h("th", { scope: "row" }, h("code", {}, f.finding_id)),
      h("td", { title: subjectName(f.arrangement_id, arrangements) }, f.arrangement_id),
      h("td", {}, h("span", { class: `sev sev-${f.severity}` }, t(`severity.${f.severity}`))),
      h("td", { class: "nowrap" }, f.due_on || t("dash")),
      h("td", {}, h("span", { class: `finding f-${f.state}` }, t(`finding.${f.state}`)),
        f.state === "overdue" ? [" ", h("small", {}, t("findings.overdueDays", { days: f.days_overdue }))] : null))))),
  more(findings.length)];
}

// the SVG namespace: a name, never fetched (written in parts: no address of another origin in these files)
const SVG = ["http:", "", "www.w3.org", "2000", "svg"].join("/");

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function quarterLabel(date) {
  const [year, month] = date.split("-").map(Number);
  return t("trend.quarter", { year, quarter: Math.ceil(month / 3) });
}

/** Coverage at each date of the trend (coverageTrend, oldest first) as columns of % of applicable, each with
 * its percentage and quarter written out (and the covered / applicable counts in its title). */
export function trendChart(points) {
  if (!points.length) return h("p", { class: "empty" }, t("none"));
  const width = 560;
  const height = 190;
  const top = 22;
  const bottom = 34;
  const plot = height - top - bottom;
  const step = width / points.length;
  const bar = Math.min(44, step * 0.6);
  const columns = points.map((p, i) => {
    const x = i * step + (step - bar) / 2;
    const value = p.percent === null || p.percent === undefined ? null : Number(p.percent);
    const tall = value === null ? 0 : (plot * value) / 100;
    const label = value === null ? t("bars.noneApply")
      : t("trend.point", { date: p.date, percent: percentText(value), covered: p.covered, applicable: p.applicable });
    return svg("g", { class: "trend-point", "data-date": p.date, "data-percent": value ?? "" },
      svg("title", {}, label),
      svg("rect", { class: "trend-track", x, y: top, width: bar, height: plot }),
      svg("rect", { class: "trend-bar", x, y: top + plot - tall, width: bar, height: tall }),
      svg("text", { class: "trend-value", x: x + bar / 2, y: top + plot - tall - 5, "text-anchor": "middle" },
        percentText(value)),
      svg("text", { class: "trend-date", x: x + bar / 2, y: height - 18, "text-anchor": "middle" }, quarterLabel(p.date)),
      svg("text", { class: "trend-day", x: x + bar / 2, y: height - 4, "text-anchor": "middle" }, p.date));
  });
  const summary = points.map((p) => `${p.date} ${percentText(p.percent)}`).join(", ");
  return svg("svg", { id: "trend-chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `${t("trend.title")}: ${summary}` }, columns);
}
