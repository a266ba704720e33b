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

/** The KPI cards; `details` is null for a board token. */
export function kpis(summary, details, subjects) {
  const o = summary.overall;
  const cards = [
    ["kpi-coverage", t("kpi.coverage"), percentText(o.percent), t("kpi.coverageOf", o)],
    ["kpi-gaps", t("kpi.gaps"), String(summary.gapTotal), t("kpi.gapsNote")],
    ["kpi-subjects", t("kpi.subjects"), String(subjects), t("kpi.subjectsNote")],
    ["kpi-approvals", t("kpi.approvals"), String(summary.approvals.missing),
      t("kpi.approvalsNote", { needing: summary.approvals.needing })],
  ];
  if (details) {
    const overdue = details.findings.filter((f) => f.state === "overdue").length;
    const expiring = details.certs.filter((c) => c.status === "expiring").length;
    const expired = details.certs.filter((c) => c.status === "expired").length;
    cards.push(["kpi-findings", t("kpi.findings"), String(details.findings.length), t("kpi.findingsNote", { overdue })]);
    cards.push(["kpi-certs", t("kpi.certs"), String(expiring), t("kpi.certsNote", { expired })]);
  }
  return cards.map(([id, label, value, note]) =>
    h("div", { class: "kpi", id },
      h("div", { class: "kpi-label" }, label),
      h("div", { class: "kpi-value", dataset: { testid: "value" } }, value),
      h("div", { class: "kpi-note" }, note)));
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

/** For a board token: coverage per arrangement (no per-article detail). */
export function boardTable(summary) {
  return h("table", { class: "plain", id: "board-table" },
    h("caption", {}, t("heatmap.boardTitle")),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("heatmap.subject")), STATUSES.map((s) => h("th", { scope: "col" }, statusBadge(s))),
      h("th", { scope: "col" }, t("heatmap.percent")))),
    h("tbody", {}, summary.byArrangement.map((c) => h("tr", { dataset: { subject: c.key } },
      h("th", { scope: "row" }, c.key === "company" ? t("company") : c.key),
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

function evidenceCell(row) {
  if (!row.evidence.length) return t("dash");
  const byId = new Map((row.evidence_nodes || []).map((e) => [e.evidence_id, e]));
  const shown = row.evidence.slice(0, IDS_SHOWN); // app.js EVIDENCE_SHOWN: the ids whose dates were fetched
  return h("ul", { class: "ids evidence" },
    shown.map((id) => {
      const e = byId.get(id);
      const dates = e ? `${e.collected_on} → ${e.valid_until || t("noEvidenceDates")}` : "";
      return h("li", {}, h("code", {}, id), dates ? h("span", { class: "dates" }, ` ${dates}`) : null);
    }),
    row.evidence.length > shown.length ? h("li", {}, t("more", { n: row.evidence.length - shown.length })) : null);
}

/** The obligations of one article for one subject, with what decides each status. */
export function traceTable(rows, selection, arrangements, rollUp, onClose) {
  const name = subjectName(selection.subject, arrangements);
  const heading = t("trace.heading", { subject: name, article: articleLabel(selection.article),
    status: rollUp ? t(`status.${rollUp}`) : t("heatmap.noRows") });
  const header = h("div", { class: "trace-head" },
    h("h3", { id: "trace-heading" }, heading),
    h("button", { type: "button", class: "link", id: "trace-close", onclick: onClose }, t("trace.close")));
  if (!rows.length) return [header, h("p", { class: "empty" }, t("trace.none"))];
  const cols = ["provision", "status", "modality", "controls", "evidence", "freshUntil", "contracts", "audits",
    "reason"];
  const body = rows.map((r) => h("tr", { dataset: { provision: r.provision, status: r.status },
    class: r.status === "not_applicable" ? "muted" : null },
  h("th", { scope: "row" }, h("code", {}, r.provision), h("small", {}, r.label)),
  h("td", {}, statusBadge(r.status)),
  h("td", {}, r.modality ? t(`modality.${r.modality}`) : t("dash")),
  h("td", {}, ids(r.controls, "controls")),
  h("td", {}, evidenceCell(r)),
  h("td", { class: "nowrap" }, r.fresh_until || t("dash")),
  h("td", {}, ids(r.contracts, "contracts")),
  h("td", {}, ids(r.audits, "audits")),
  h("td", { class: "reason" }, lang() === "zh-TW" ? r.reason_zh : r.reason)));
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
      h("td", {}, f.severity),
      h("td", { class: "nowrap" }, f.due_on || t("dash")),
      h("td", {}, h("span", { class: `finding f-${f.state}` }, t(`finding.${f.state}`)),
        f.state === "overdue" ? [" ", h("small", {}, t("findings.overdueDays", { days: f.days_overdue }))] : null))))),
  more(findings.length)];
}
