// Every visible string of the dashboard, in zh-TW (the default) and English. Status, state and severity words
// ("status.gap", "cert.expired", "finding.overdue", "severity.critical", …) are the ontology's, in the block below.

export const LANGS = ["zh-TW", "en"];

// BEGIN vocabulary: generated from the ontology by tools/vocabulary_js.py --write; do not edit by hand
const VOCABULARY = {
  "status.gap": ["缺口", "gap"],
  "status.unevidenced": ["無佐證", "unevidenced"],
  "status.stale": ["佐證過時", "stale"],
  "status.covered": ["已涵蓋", "covered"],
  "status.not_applicable": ["不適用", "not applicable"],
  "cause.no_control": ["無適用之控制措施", "no control applying to the subject satisfies it"],
  "cause.no_evidence": ["控制措施無佐證資料", "the controls have no evidence for the subject"],
  "cause.evidence_lapsed": ["佐證資料已過時", "the newest evidence is no longer fresh"],
  "cause.no_contract": ["無有效契約涵蓋此條款", "no contract in force lists the clause"],
  "cause.contract_expired": ["涵蓋此條款之契約已到期", "the contract that listed the clause has expired"],
  "cause.audit_missing": ["無查核紀錄", "no audit on record"],
  "cause.audit_incomplete": ["十二個月內未同時辦理一般性及專案查核", "not both a general and a project audit in the last 12 months"],
  "cause.finding_overdue": ["查核缺失逾期未改善", "an audit finding is open past its due date"],
  "cause.no_deletion_record": ["委外已終止，無資料刪除紀錄", "the arrangement ended and no deletion record was collected"],
  "cause.conditions_unmet": ["適用條件不成立", "the provision's conditions do not hold"],
  "severity.critical": ["重大", "critical"],
  "severity.high": ["高", "high"],
  "severity.medium": ["中", "medium"],
  "severity.low": ["低", "low"],
  "cert.expired": ["已到期", "expired"],
  "cert.expiring": ["即將到期", "expiring"],
  "cert.not_yet_valid": ["尚未生效", "not yet valid"],
  "cert.valid": ["有效", "valid"],
  "finding.overdue": ["逾期未改善", "overdue"],
  "finding.open": ["改善中", "open"],
  "finding.closed": ["已結案", "closed"],
  "instrument.in_force": ["現行有效", "in force"],
  "instrument.not_yet_in_force": ["尚未施行", "not yet in force"],
  "instrument.abolished": ["已廢止", "abolished"],
  "instrument.superseded": ["已被取代", "superseded"],
  "contract.expired": ["已到期", "expired"],
  "contract.not_yet_in_force": ["尚未生效", "not yet in force"],
  "contract.in_force": ["有效", "in force"],
};
// END vocabulary

const S = {
  title: ["雲端委外法遵儀表板", "Cloud outsourcing compliance dashboard"],
  subtitle: ["保險業作業委外使用雲端服務自律規範", "Self-regulatory rules for insurers' cloud outsourcing"],
  skip: ["跳至主要內容", "Skip to main content"],
  langToggle: ["English", "中文"],
  langToggleLabel: ["切換為英文", "Switch to Chinese"],
  asOf: ["基準日", "As of"],
  today: ["今天", "Today"],
  logout: ["登出", "Sign out"],
  "login.title": ["登入", "Sign in"],
  "login.token": ["存取權杖", "Access token"],
  "login.hint": ["貼上以 regtrace token create 建立之權杖；權杖僅保存於本分頁（sessionStorage）。",
    "Paste a token made with regtrace token create; it is kept in this tab only (sessionStorage)."],
  "login.submit": ["登入", "Sign in"],
  "login.invalid": ["權杖無效或已撤銷。", "The token is invalid or revoked."],
  "login.empty": ["請輸入權杖。", "Enter a token."],
  who: ["{tenant}・{role}", "{tenant} · {role}"],
  "role.admin": ["管理者", "admin"],
  "role.officer": ["法遵主管", "officer"],
  "role.auditor": ["稽核人員", "auditor"],
  "role.board": ["董事會", "board"],
  loading: ["載入中…", "Loading…"],
  error: ["無法取得資料：{message}", "Could not load the data: {message}"],
  none: ["無", "None"],
  dash: ["—", "—"],
  "board.note": ["董事會權杖可檢視涵蓋率、趨勢、各項筆數及主要風險，不含佐證資料及控制措施明細。熱度圖明細、追溯、缺口清單、驗證及查核缺失明細需法遵、稽核或管理者權杖。",
    "A board token sees coverage, the trend, the counts and the top risks, without evidence or control details. " +
    "The heatmap details, traces, the gap list, certifications and findings need an officer, auditor or admin token."],
  "kpi.coverage": ["整體涵蓋率", "Overall coverage"],
  "kpi.coverageOf": ["{covered} / {applicable} 項義務", "{covered} of {applicable} obligations"],
  "kpi.gaps": ["未涵蓋義務（缺口）", "Obligations not covered (gaps)"],
  "kpi.gapsNote": ["缺口、無佐證或逾期", "gap, unevidenced or stale"],
  "kpi.subjects": ["委外事項", "Arrangements"],
  "kpi.subjectsNote": ["基準日有效者", "in effect on the date"],
  "kpi.approvals": ["缺少金管會事前核准", "Without the FSC's prior approval"],
  "kpi.approvalsNote": ["須經核准之委外事項 {needing} 項", "{needing} arrangements need it"],
  "kpi.certsExpired": ["已到期之雲端服務業者驗證", "Expired CSP certificates"],
  "kpi.certsExpiring": ["另 90 天內到期 {expiring} 項", "{expiring} more expire within 90 days"],
  "kpi.findingsOverdue": ["逾期未改善之查核缺失", "Overdue audit findings"],
  "kpi.contracts": ["已到期契約", "Expired contracts"],
  "kpi.contractsNote": ["有效委外事項所依者", "relied on by arrangements in effect"],
  "risks.title": ["主要風險", "Top risks"],
  "risks.none": ["無待處理之風險。", "No open risks."],
  "trend.title": ["涵蓋率趨勢（近 8 季季末）", "Coverage trend (end of the last 8 quarters)"],
  "trend.quarter": ["{year} Q{quarter}", "{year} Q{quarter}"],
  "trend.point": ["{date}：{percent}（{covered}/{applicable} 項義務）", "{date}: {percent} ({covered} of {applicable} obligations)"],
  "trend.loading": ["正在計算各季涵蓋率…", "Computing coverage per quarter…"],
  "trend.failed": ["無法取得趨勢：{message}", "Could not load the trend: {message}"],
  "traceState.updating": ["資料計算於 {at}（基準日 {asOf}），更新中…", "Computed at {at} (as of {asOf}); updating…"],
  "traceState.stale": ["資料計算於 {at}（基準日 {asOf}），非最新資料", "Computed at {at} (as of {asOf}); not the latest"],
  "download.pdf": ["下載 PDF", "PDF"],
  "download.xlsx": ["下載 XLSX", "XLSX"],
  "download.pdfLabel": ["下載基準日之追溯報告 PDF", "Download the traceability report (PDF) of the date shown"],
  "download.xlsxLabel": ["下載基準日之追溯矩陣 XLSX", "Download the traceability matrix (XLSX) of the date shown"],
  "download.building": ["正在產生 {date} 之 {format}…", "Building the {format} of {date}…"],
  "download.failed": ["無法下載：{message}", "Could not download: {message}"],
  "heatmap.title": ["涵蓋熱度圖", "Coverage heatmap"],
  "heatmap.caption": ["各委外事項（列）就各條（欄）之彙總狀態；選取儲存格以檢視追溯。",
    "Roll-up status of each article (columns) for each arrangement (rows); choose a cell to see its trace."],
  "heatmap.subject": ["委外事項", "Arrangement"],
  "heatmap.percent": ["涵蓋率", "Covered"],
  "heatmap.articlePercent": ["各條涵蓋率", "Covered per article"],
  "heatmap.cell": ["{subject}，{article}：{status}", "{subject}, {article}: {status}"],
  "heatmap.noRows": ["無適用義務", "no obligations"],
  "heatmap.empty": ["基準日無有效之委外事項。", "No arrangement is in effect on this date."],
  "heatmap.boardTitle": ["各委外事項涵蓋率", "Coverage per arrangement"],
  company: ["全公司", "Company"],
  companyNote: ["公司層級義務", "company-level obligations"],
  legend: ["圖例", "Legend"],
  "bars.article": ["各條涵蓋率", "Coverage by article"],
  "bars.csp": ["各雲端服務業者涵蓋率", "Coverage by cloud service provider"],
  "bars.value": ["{percent}（{covered}/{applicable}）", "{percent} ({covered}/{applicable})"],
  "bars.noneApply": ["無適用義務", "nothing applies"],
  "gaps.title": ["最嚴重缺口（前 10 項）", "Worst gaps (top 10)"],
  "gaps.total": ["共 {total} 項未涵蓋", "{total} not covered in all"],
  "gaps.none": ["無缺口。", "No gaps."],
  "certs.title": ["即將到期及已到期之驗證", "Expiring and expired certifications"],
  "certs.none": ["90 天內無到期之驗證。", "No certification expires within 90 days."],
  "certs.daysLeft": ["剩 {days} 天", "{days} days left"],
  "certs.expiredAgo": ["已到期 {days} 天", "expired {days} days ago"],
  "findings.title": ["未結及逾期之查核缺失", "Open and overdue audit findings"],
  "findings.none": ["無未結缺失。", "No open findings."],
  "findings.overdueDays": ["逾期 {days} 天", "{days} days overdue"],
  "trace.title": ["追溯", "Trace"],
  "trace.hint": ["選取熱度圖中的儲存格，即顯示該委外事項於該條各項義務（最嚴重者在前）之條文、原因、控制措施、佐證、對應標準、契約及查核。",
    "Choose a heatmap cell to see each obligation of that article for that arrangement, worst first, with its " +
    "text, cause, controls, evidence, mapped standards, contracts and audits."],
  "trace.heading": ["{subject}・{article}：{status}", "{subject} · {article}: {status}"],
  "trace.close": ["關閉追溯", "Close the trace"],
  "trace.share": ["本檢視連結", "Link to this view"],
  "trace.shareTitle": ["可分享之連結（基準日、委外事項、條）；開啟者仍須以自己的權杖登入",
    "A shareable link (date, arrangement, article); whoever opens it signs in with their own token"],
  "trace.certEvidence": ["證書為佐證", "certificate as evidence"],
  "mapped.relationship": ["條文與此控制之關係：{relationship}", "provision {relationship} this control"],
  "trace.none": ["此條對此主體無義務。", "This article has no obligations for this subject."],
  "col.provision": ["條文", "Provision"],
  "col.status": ["狀態", "Status"],
  "col.modality": ["效力", "Modality"],
  "col.controls": ["控制措施", "Controls"],
  "col.evidence": ["佐證資料（蒐集日 → 有效期限）", "Evidence (collected → valid until)"],
  "col.freshUntil": ["佐證有效至", "Fresh until"],
  "col.contracts": ["契約", "Contracts"],
  "col.audits": ["查核", "Audits"],
  "col.reason": ["說明", "Reason"],
  "col.cause": ["原因", "Cause"],
  "col.mapped": ["對應 ISO / CCM", "Mapped ISO / CCM"],
  "col.subject": ["主體", "Subject"],
  "col.certification": ["驗證", "Certification"],
  "col.csp": ["雲端服務業者", "CSP"],
  "col.standard": ["標準", "Standard"],
  "col.validUntil": ["有效期限", "Valid until"],
  "col.finding": ["缺失", "Finding"],
  "col.arrangement": ["委外事項", "Arrangement"],
  "col.severity": ["嚴重度", "Severity"],
  "col.dueOn": ["改善期限", "Due on"],
  "col.state": ["狀態", "State"],
  "modality.shall": ["應", "shall"],
  "modality.must_not": ["不得", "must not"],
  "modality.should": ["宜", "should"],
  more: ["另 {n} 筆", "+{n} more"],
  noEvidenceDates: ["（無期限）", "(no expiry)"],
  ...VOCABULARY,
};

const ZH_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

let current = "zh-TW";

export function setLang(lang) {
  current = LANGS.includes(lang) ? lang : "zh-TW";
  document.documentElement.lang = current === "zh-TW" ? "zh-Hant-TW" : "en";
}

export function lang() {
  return current;
}

/** The string `key` in the current language, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  const entry = S[key];
  if (!entry) return key;
  const text = entry[current === "zh-TW" ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

function zhNumber(n) {
  if (n <= 10) return ZH_DIGITS[n];
  if (n < 20) return "十" + ZH_DIGITS[n - 10];
  return ZH_DIGITS[Math.floor(n / 10)] + "十" + (n % 10 ? ZH_DIGITS[n % 10] : "");
}

/** 第五條 / Art. 5 */
export function articleLabel(n) {
  return current === "zh-TW" ? `第${zhNumber(Number(n))}條` : `Art. ${n}`;
}

/** Fill every element carrying data-i18n (text) or data-i18n-label (aria-label) in `root`. */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  document.title = `regtrace — ${t("title")}`;
}

/** Every key, for tests that check both languages are complete. */
export const KEYS = Object.keys(S);
