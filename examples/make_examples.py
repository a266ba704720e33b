"""Write the example insurers' registers, deterministically (the committed files are this script's output).

    .venv/bin/python examples/make_examples.py            # rewrites examples/insurer/ and examples/insurer-xlsx/

examples/insurer/        台灣範例人壽 (Formosa Example Life, Taiwan Branch): CSV files, as of 2026-11-29.
                         controls.csv is Big5 (CP950), as Excel on a zh-TW Windows saves it; evidence.csv is
                         UTF-8 with a byte-order mark ("CSV UTF-8"); the others are plain UTF-8. contracts,
                         audits and findings write ROC (民國) dates; arrangements.csv has an extra `note` column.
examples/insurer-xlsx/   北辰範例產物 (Polaris Example General Insurance): one workbook, a sheet per register,
                         with real Excel date cells, 是/否 flags and one TRUE/FALSE boolean column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2026, 11, 29)
ZIP_TIME = (2026, 11, 29, 0, 0, 0)
Cell = str | int | bool | dt.date | None

# ---------------------------------------------------------------- 台灣範例人壽 (CSV)

CSPS = [
    ("CSP-NIMBUS", "Nimbus Global Cloud Pte. Ltd. 寰宇雲端", "SG"),
    ("CSP-FTC", "福爾摩沙電信股份有限公司 雲端事業處", "TW"),
    ("CSP-SALESFORGE", "Salesforge, Inc.", "US"),
    ("CSP-ISLANDDR", "島嶼備援科技股份有限公司", "TW"),
    ("CSP-PEBBLE", "小石人資雲股份有限公司", "TW"),
    ("CSP-GROUPIT", "Example Life Group Technology Pte. Ltd. 集團資訊服務", "SG"),
]

# certification_id, csp_id, standard, scope, issuer, valid_from, valid_until
CERTIFICATIONS = [
    ("CERT-01", "CSP-NIMBUS", "ISO27001", "Global cloud infrastructure", "BSI", "2024-10-01", "2027-09-30"),
    ("CERT-02", "CSP-NIMBUS", "ISO27017", "Global cloud infrastructure", "BSI", "2024-10-01", "2027-09-30"),
    ("CERT-03", "CSP-NIMBUS", "ISO27018", "Public cloud PII processing", "BSI", "2024-10-01", "2027-09-30"),
    ("CERT-04", "CSP-NIMBUS", "SOC2", "Type II, Singapore and Tokyo regions", "Ernst & Young LLP", "2025-10-01",
     "2027-03-31"),
    ("CERT-05", "CSP-NIMBUS", "CSA-STAR", "Level 2 certification", "BSI", "2025-07-01", "2027-06-30"),
    ("CERT-06", "CSP-FTC", "ISO27001", "板橋及台中資料中心雲端服務", "TAF 認可驗證機構", "2025-06-01", "2028-05-31"),
    ("CERT-07", "CSP-FTC", "ISO27017", "雲端平台服務", "TAF 認可驗證機構", "2024-01-16", "2027-01-15"),
    ("CERT-08", "CSP-FTC", "ISO22301", "雲端營運持續管理", "TAF 認可驗證機構", "2025-03-01", "2028-02-28"),
    ("CERT-09", "CSP-SALESFORGE", "SOC2", "Type II, CRM platform (US-West)", "Deloitte & Touche LLP", "2025-05-01",
     "2027-04-30"),
    ("CERT-10", "CSP-SALESFORGE", "ISO27001", "CRM platform", "Schellman", "2024-09-01", "2027-08-31"),
    ("CERT-11", "CSP-SALESFORGE", "ISO27701", "CRM platform privacy information management", "Schellman",
     "2023-09-01", "2026-08-31"),
    ("CERT-12", "CSP-ISLANDDR", "ISO27001", "異地備份與災難復原服務", "SGS Taiwan", "2025-02-01", "2028-01-31"),
    ("CERT-13", "CSP-ISLANDDR", "ISO22301", "災難復原服務營運持續", "SGS Taiwan", "2024-09-01", "2027-08-31"),
    ("CERT-14", "CSP-PEBBLE", "ISO27001", "人資差勤 SaaS", "SGS Taiwan", "2025-11-01", "2028-10-31"),
    ("CERT-15", "CSP-GROUPIT", "ISO27001", "Group collaboration and e-mail services", "BSI", "2025-04-01",
     "2028-03-31"),
]

ARRANGEMENT_FACTS = ("material", "offshore", "natural_person_data", "customer_data", "hybrid_cloud",
                     "internet_access", "vm_or_container_images", "subcontracting", "foreign_branch")
# arrangement_id, name, csp_id, service_model, facts that hold, data_locations, start_date, end_date, note
ARRANGEMENTS = [
    ("ARR-CORE", "保單核心系統境外雲端運算 (IaaS)", "CSP-NIMBUS", "IaaS",
     {"material", "offshore", "natural_person_data", "customer_data", "hybrid_cloud", "vm_or_container_images"},
     "SG;JP", "2024-04-01", None, "重大性委外；114年董事會核准"),
    ("ARR-DIGITAL", "數位投保平台 (在地 PaaS，容器化)", "CSP-FTC", "PaaS",
     {"material", "natural_person_data", "customer_data", "hybrid_cloud", "internet_access",
      "vm_or_container_images"}, "TW", "2023-07-01", None, ""),
    ("ARR-CRM", "客戶關係管理 CRM (SaaS)", "CSP-SALESFORGE", "SaaS",
     {"material", "offshore", "natural_person_data", "customer_data", "internet_access"},
     "US", "2022-02-01", None, "契約續約中"),
    ("ARR-DR", "異地備份與災難復原服務", "CSP-ISLANDDR", "SaaS",
     {"material", "natural_person_data", "customer_data", "subcontracting"}, "TW", "2024-01-01", None,
     "機房複委託福爾摩沙電信"),
    ("ARR-GROUP", "集團電子郵件與協作平台 (由總公司統籌)", "CSP-GROUPIT", "SaaS",
     {"offshore", "natural_person_data", "customer_data", "internet_access", "subcontracting",
      "foreign_branch"}, "SG;IE", "2021-09-01", None, "總公司統籌協議"),
    ("ARR-HR", "人資差勤系統 (SaaS)", "CSP-PEBBLE", "SaaS", {"internet_access"}, "TW", "2025-01-01", None, ""),
    ("ARR-ACTUARIAL", "精算模型運算平台 (PaaS，去識別化資料)", "CSP-NIMBUS", "PaaS",
     {"offshore", "customer_data", "vm_or_container_images"}, "JP", "2025-03-01", None, ""),
    ("ARR-SMS", "行銷簡訊發送 (已終止)", "CSP-FTC", "SaaS", {"customer_data", "internet_access"}, "TW",
     "2020-01-01", "2025-06-30", "已於114年6月終止；資料刪除紀錄已留存"),
    ("ARR-CALLREC", "客服電話錄音存證 (已終止)", "CSP-FTC", "SaaS", {"natural_person_data", "customer_data"}, "TW",
     "2021-03-01", "2026-03-31", "已於115年3月終止；資料刪除紀錄尚未取得"),
]

# The member company: a Taiwan branch of a foreign insurer that spreads its cloud use over several CSPs.
COMPANY = ("新加坡商範例人壽保險股份有限公司台灣分公司", "Example Life Assurance (Singapore) Pte. Ltd., Taiwan Branch",
           "Y", "Y")

# system_id, name, arrangement_id, criticality, material, natural_person_data, data_locations. SYS-PAS is the one
# material system with natural-person data processed offshore; SYS-CRM leaves the three columns blank, so its
# arrangement's own flags decide for ARR-CRM.
SYSTEMS = [
    ("SYS-PAS", "保單管理系統 Policy Administration", "ARR-CORE", "high", "Y", "Y", "SG;JP"),
    ("SYS-CLAIMS", "理賠系統", "ARR-CORE", "high", "Y", "Y", "TW"),
    ("SYS-EAPP", "網路投保系統", "ARR-DIGITAL", "high", "Y", "Y", "TW"),
    ("SYS-MEMBER", "保戶會員服務 App 後端", "ARR-DIGITAL", "medium", "N", "Y", "TW"),
    ("SYS-CRM", "業務員客戶關係管理", "ARR-CRM", "high", "", "", ""),
    ("SYS-BACKUP", "核心資料庫異地備份", "ARR-DR", "high", "Y", "Y", "TW"),
    ("SYS-MAIL", "電子郵件", "ARR-GROUP", "medium", "N", "Y", "SG;IE"),
    ("SYS-TEAMS", "線上會議與文件協作", "ARR-GROUP", "low", "N", "N", "SG"),
    ("SYS-HR", "人資差勤", "ARR-HR", "low", "N", "N", "TW"),
    ("SYS-ALM", "資產負債管理與精算模型", "ARR-ACTUARIAL", "medium", "Y", "N", "JP"),
    ("SYS-SMS", "行銷簡訊", "ARR-SMS", "low", "N", "N", "TW"),
    ("SYS-CALLREC", "客服錄音存證", "ARR-CALLREC", "medium", "N", "Y", "TW"),
]


def roc(day: str) -> str:
    """2026-03-20 -> 115/03/20."""
    d = dt.date.fromisoformat(day)
    return f"{d.year - 1911}/{d.month:02d}/{d.day:02d}"


def roc_words(day: str) -> str:
    """2026-03-20 -> 民國115年3月20日."""
    d = dt.date.fromisoformat(day)
    return f"民國{d.year - 1911}年{d.month}月{d.day}日"


ALL_CLAUSES = ["A6.P1.I1", "A6.P1.I2", "A6.P1.I3", "A6.P1.I4", "A6.P1.I5", "A6.P1.I6", "A6.P1.I7"]
# contract_id, arrangement_id, signed_on, expires_on, clauses
CONTRACTS = [
    ("K-2024-001", "ARR-CORE", "2024-03-01", "2029-02-28", ["A6.P1"]),  # the whole paragraph: items 1-7
    ("K-2023-014", "ARR-DIGITAL", "2023-06-15", "2027-06-30", ALL_CLAUSES[:6]),
    ("K-2022-003", "ARR-CRM", "2022-01-15", "2025-12-31", ALL_CLAUSES),  # expired: the renewal is unsigned
    ("K-2023-031", "ARR-DR", "2023-12-01", "2028-11-30", ["A6.P1.I1", "A6.P1.I2", "A6.P1.I3", "A6.P1.I5",
                                                         "A6.P1.I6"]),  # no termination data clause (I4)
    ("K-2021-GRP", "ARR-GROUP", "2021-08-20", None, ["A6.P1.I1", "A6.P1.I3", "A6.P1.I5"]),  # head-office deal
    ("K-2024-022", "ARR-HR", "2024-12-10", "2027-12-31", ALL_CLAUSES[:6]),
    ("K-2025-004", "ARR-ACTUARIAL", "2025-02-15", "2028-02-29", ["A6.P1.I1", "A6.P1.I2", "A6.P1.I3",
                                                                "A6.P1.I4", "A6.P1.I6"]),  # no audit right (I5)
    ("K-2019-088", "ARR-SMS", "2019-12-01", "2025-06-30", ALL_CLAUSES[:4]),
    ("K-2021-017", "ARR-CALLREC", "2021-02-15", "2026-03-31", ALL_CLAUSES[:6]),
]

OFFSHORE = "ARR-CORE;ARR-CRM;ARR-GROUP;ARR-ACTUARIAL"
SELF_MANAGED = "ARR-CORE;ARR-DIGITAL;ARR-ACTUARIAL"
# control_id, name, owner, frequency_months, satisfies, applies_to, evidence title
CONTROLS = [
    ("CTL-GOV-01", "雲端服務管理規範年度檢視", "法令遵循部", 12, "A4.P1.I1", "", "雲端服務管理規範檢視紀錄"),
    ("CTL-GOV-02", "雲端服務角色與權責劃分表 (RACI)", "雲端專責小組", 12, "A4.P1.I2", "", "雲端權責劃分表核定版"),
    ("CTL-GOV-03", "雲端服務風險評估", "風險管理部", 12, "A4.P1.I3", "", "雲端服務風險評估報告"),
    ("CTL-GOV-04", "雲端服務業者管理程序", "雲端專責小組", 12, "A4.P1.I4", "", "雲端服務業者管理程序書"),
    ("CTL-GOV-05", "雲端委外查核與營運持續要求", "稽核室", 12, "A4.P1.I5;A4.P1.I6", "", "雲端委外查核計畫"),
    ("CTL-GOV-06", "董事會雲端委外風險報告", "董事會秘書處", 12, "A4.P3", "", "董事會雲端風險報告議事錄"),
    ("CTL-GOV-07", "雲端服務定期審查與資訊策略一致性", "資訊部", 12, "A4.P2.I1", "", "雲端服務定期審查報告"),
    ("CTL-GOV-08", "多雲集中度與營運複雜性評估", "風險管理部", 12, "A4.P2.I3", "", "雲端集中度風險評估"),
    ("CTL-GOV-09", "雲端資源負載與可用性監控", "資訊部", 1, "A4.P2.I4", "", "雲端監控月報"),
    ("CTL-GOV-10", "境外資料保護法規評估", "法令遵循部", 12, "A4.P2.I2", OFFSHORE, "境外資料保護法規評估"),
    ("CTL-GOV-11", "資料可用性與互通性政策", "雲端專責小組", 12, "A4.P2.I5", "", "雲端退場與互通性政策"),
    ("CTL-GOV-12", "作業委託他人處理內部作業制度", "法令遵循部", 12, "A2.P1", "", "委外內部作業制度修訂紀錄"),
    ("CTL-DD-01", "雲端服務業者年度盡職調查", "雲端專責小組", 12, "A5.P1.I1;A5.P1.I2", "*", "盡職調查報告"),
    ("CTL-DD-02", "國際標準驗證與 SOC 2 報告審閱", "資訊安全部", 12, "A5.P1.I2.S2;A5.P1.I2.S4", "*",
     "驗證報告審閱紀錄"),
    ("CTL-DD-03", "委外契約執行情形定期審查", "法令遵循部", 12, "A5.P3.I1", "*", "契約執行情形審查表"),
    ("CTL-DD-04", "複委託範圍、限制與條件審查", "法令遵循部", 12, "A5.P3.I2", "ARR-DR;ARR-GROUP",
     "複委託審查紀錄"),
    ("CTL-DD-05", "設備汰換及資料銷毀確認", "資訊安全部", 12, "A5.P3.I3", "*", "資料銷毀證明"),
    ("CTL-DD-06", "服務水準報告月檢視", "資訊部", 1, "A5.P3.I4", "*", "SLA 月報檢視紀錄"),
    ("CTL-CON-01", "契約未符要求之替代措施評估", "法令遵循部", 12, "A6.P2", "*", "契約替代措施評估"),
    ("CTL-SEC-01", "虛擬機與容器映像檔管理", "資訊安全部", 3, "A7.P1.I1.S1", SELF_MANAGED, "映像檔掃描報告"),
    ("CTL-SEC-02", "雲地連線加密與專線管理", "資訊部", 6, "A7.P1.I1.S2", "*", "連線加密檢核表"),
    ("CTL-SEC-03", "正式與非正式環境區隔", "資訊部", 12, "A7.P1.I1.S3", "*", "環境區隔檢核表"),
    ("CTL-SEC-04", "雲端基礎架構安全評估", "資訊安全部", 12, "A7.P1.I1.S4", "*", "基礎架構安全評估報告"),
    ("CTL-SEC-05", "雲端存取權限季審查與特權帳號管理", "資訊安全部", 3, "A7.P1.I2.S1;A7.P1.I2.S2", "*",
     "權限審查紀錄"),
    ("CTL-SEC-06", "網際網路存取之身分驗證 (MFA)", "資訊安全部", 6, "A7.P1.I2.S3",
     "ARR-DIGITAL;ARR-CRM;ARR-GROUP;ARR-HR", "多因子驗證設定檢核"),
    ("CTL-SEC-07", "客戶資料加密與代碼化", "資訊安全部", 12, "A7.P1.I3.S1;A7.P1.I3.S3", "*", "加密設定檢核表"),
    ("CTL-SEC-08", "金鑰管理", "資訊安全部", 12, "A7.P1.I4", "*", "金鑰管理檢核表"),
    ("CTL-SEC-09", "稽核軌跡集中保存與監控", "資訊安全部", 1, "A7.P1.I5.S1", SELF_MANAGED, "SIEM 監控月報"),
    ("CTL-SEC-10", "弱點掃描與修補追蹤", "資訊安全部", 3, "A7.P1.I5.S2", "ARR-CORE;ARR-DIGITAL", "弱點掃描報告"),
    ("CTL-SEC-11", "變更管理與組態基準", "資訊部", 6, "A7.P1.I5.S3", SELF_MANAGED, "變更管理紀錄"),
    ("CTL-HR-01", "雲端人才培訓計畫", "人力資源部", 12, "A4.P1.I7;A8.P1", "", "雲端教育訓練紀錄"),
    ("CTL-AUD-01", "雲端服務業者查核計畫與執行重點", "稽核室", 12, "A9.P1.I1.S2;A9.P1.I4", "*", "雲端查核報告"),
    ("CTL-AUD-02", "獨立第三人適格性評估", "稽核室", 12, "A9.P1.I2", "*", "第三人適格性評估表"),
    ("CTL-AUD-03", "查核缺失追蹤改善", "稽核室", 3, "A9.P1.I3", "*", "缺失追蹤表"),
    ("CTL-BCM-01", "雲端營運衝擊分析", "風險管理部", 12, "A10.P1.I1;A10.P1.I2", "*", "營運衝擊分析報告"),
    ("CTL-BCM-02", "雲端事件應變與演練", "資訊部", 12, "A10.P1.I3;A10.P1.I4", "*", "災難復原演練報告"),
    ("CTL-BCM-03", "雲端備份清冊與還原測試", "資訊部", 6, "A10.P1.I5", "*", "備份還原測試紀錄"),
    ("CTL-BCM-04", "終止委託之移轉與資料刪除紀錄", "雲端專責小組", 12, "A10.P1.I6.S2", "*", "資料刪除紀錄"),
    ("CTL-IC-01", "自律規範納入內部控制及內部稽核", "稽核室", 12, "A11.P1", "", "內控制度修訂及查核報告"),
    ("CTL-FB-01", "總公司雲端管控措施對應檢視", "法令遵循部", 12, "A2.P2;A9.P2", "ARR-GROUP", "總公司管控對應表"),
]

def _plan() -> list[tuple[str, str, int, int | None]]:
    """The evidence to write: (control_id, arrangement_id or "" for every arrangement the control applies
    to, months before 2026-11-29 it was collected, months it stays valid or None). Most is fresh; some
    controls' latest evidence is older than their frequency (stale) or past its valid_until (expired)."""
    plan: list[tuple[str, str, int, int | None]] = []
    stale = {"CTL-GOV-08", "CTL-DD-05", "CTL-SEC-04", "CTL-BCM-02"}  # last evidence older than the frequency
    expired = {"CTL-DD-02", "CTL-SEC-08"}  # fresh enough, but past its valid_until
    missing = {"CTL-CON-01", "CTL-BCM-04"}  # controls with no evidence at all
    for i, (cid, _, _, freq, _, applies, _) in enumerate(CONTROLS):
        if cid in missing:
            continue
        age = freq + 2 if cid in stale else max(0, min(freq - 1, 1 + i % 4))
        validity = 1 if cid in expired else (None if i % 3 else 24)
        arrangements = [a for a in applies.split(";") if a and a != "*"]
        if applies == "*":
            plan.append((cid, "", age, validity))  # one record for every arrangement in scope
            plan.append((cid, "", age + freq, None))  # and the previous cycle's
            if i % 2 == 0:
                plan.append((cid, "ARR-CORE", age, validity))
        elif arrangements:
            for j, a in enumerate(arrangements):
                if cid == "CTL-SEC-01" and a == "ARR-ACTUARIAL":
                    continue  # the actuarial platform's images were never scanned
                plan.append((cid, a, age + (freq + 1 if cid == "CTL-SEC-09" and j == 2 else 0), validity))
                plan.append((cid, a, age + freq, None))
        else:
            plan.append((cid, "", age, validity))
            plan.append((cid, "", age + freq, None))
            plan.append((cid, "", age + 2 * freq, None))
    return plan


def _months_before(day: dt.date, months: int, day_of_month: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, day_of_month)


# Evidence written after the plan's: the deletion record of the ended SMS service (collected after its end date).
# The ended call-recording service (ARR-CALLREC) has none.
DELETION_RECORDS = [("CTL-BCM-04", "ARR-SMS", "2025-07-15", "行銷簡訊服務資料刪除紀錄 114年7月")]


def evidence_rows() -> list[list[Cell]]:
    titles = {c[0]: c[6] for c in CONTROLS}
    rows: list[list[Cell]] = []
    for n, (cid, arrangement, age, validity) in enumerate(_plan(), start=1):
        collected = _months_before(AS_OF, age, 1 + (n * 7) % 27)
        if collected > AS_OF:
            collected = AS_OF
        valid_until = _months_before(collected, -validity, collected.day) if validity else None
        eid = f"EV-{n:04d}"
        title = f"{titles[cid]} {collected.year - 1911}年{collected.month}月"
        title += f" ({arrangement})" if arrangement else ""
        digest = "" if n % 9 == 0 else hashlib.sha256(f"{eid}|{title}".encode()).hexdigest()
        collected_text = roc(collected.isoformat()) if n % 10 == 0 else collected.isoformat()
        rows.append([eid, cid, arrangement, collected_text, valid_until.isoformat() if valid_until else "", title,
                     f"https://grc.example.com.tw/evidence/{eid}", digest])
    for n, (cid, arrangement, collected_on, title) in enumerate(DELETION_RECORDS, start=len(rows) + 1):
        eid = f"EV-{n:04d}"
        rows.append([eid, cid, arrangement, collected_on, "", title, f"https://grc.example.com.tw/evidence/{eid}",
                     hashlib.sha256(f"{eid}|{title}".encode()).hexdigest()])
    return rows


AUDITS = [
    # audit_id, arrangement_id, kind, performed_on, auditor, independent
    ("AUD-2026-01", "ARR-CORE", "general", "2026-03-20", "範例聯合會計師事務所", "Y"),
    ("AUD-2026-02", "ARR-CORE", "project", "2026-09-10", "範例聯合會計師事務所", "Y"),
    ("AUD-2026-03", "ARR-CRM", "general", "2026-04-15", "範例聯合會計師事務所", "Y"),
    ("AUD-2025-07", "ARR-CRM", "project", "2025-06-30", "稽核室", "N"),
    ("AUD-2026-04", "ARR-DIGITAL", "general", "2026-05-22", "稽核室", "N"),
    ("AUD-2026-05", "ARR-DR", "project", "2026-02-12", "稽核室", "N"),
    ("AUD-2025-11", "ARR-ACTUARIAL", "general", "2025-10-15", "稽核室", "N"),
    ("AUD-2026-06", "ARR-GROUP", "general", "2026-07-08", "Example Life Group Internal Audit", "Y"),
]

FINDINGS = [
    # finding_id, audit_id, severity, status, due_on, closed_on, provisions, title
    ("F-2026-001", "AUD-2026-01", "high", "closed", "2026-06-30", "2026-06-18", "A7.P1.I4.S2", "金鑰與資料同區存放"),
    ("F-2026-002", "AUD-2026-01", "medium", "open", "2026-12-31", None, "A10.P1.I5",
     "備份清冊未涵蓋理賠系統"),  # open, not yet due on 2026-11-29
    ("F-2026-003", "AUD-2026-02", "high", "open", "2026-10-31", None, "A7.P1.I2.S2",
     "特權帳號未定期清查"),  # overdue on 2026-11-29
    ("F-2026-004", "AUD-2026-03", "critical", "open", "2027-01-31", None, "A6.P1.I4;A6.P1.I7",
     "契約未約定終止時資料處理及移轉義務"),
    ("F-2026-005", "AUD-2026-04", "low", "closed", "2026-08-31", "2026-07-20", "", "變更紀錄欄位不全"),
    ("F-2025-009", "AUD-2025-11", "medium", "closed", "2026-01-31", "2026-02-10", "A7.P1.I5.S2", "弱點修補逾期"),
]

APPROVALS = [
    # approval_id, arrangement_id, kind, reference (文號), decided_on, valid_until, provisions
    ("APV-2024-01", "ARR-CORE", "fsc_approval", "金管保綜字第11304900001號", "2024-03-15", None, ""),
    ("APV-2022-01", "ARR-CRM", "fsc_filing", "範人保字第1110000123號", "2022-01-20", None, ""),
    ("APV-2026-01", None, "board_resolution", "第5屆第12次董事會決議", "2026-03-26", None, "A4.P1.I1"),
    ("APV-2025-01", None, "head_office_authorisation", "EL-GRP-CLOUD-2025-007", "2025-09-01", "2027-08-31", "A2.P2"),
]


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_insurer(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    write_csv(folder / "csps.csv", ["csp_id", "name", "country"], CSPS)
    write_csv(folder / "certifications.csv",
              ["certification_id", "csp_id", "standard", "scope", "issuer", "valid_from", "valid_until"],
              CERTIFICATIONS)
    write_csv(folder / "arrangements.csv",
              ["arrangement_id", "name", "csp_id", "service_model", *ARRANGEMENT_FACTS, "data_locations",
               "start_date", "end_date", "note"],
              ([a, name, csp, model, *(_yn(f in facts) for f in ARRANGEMENT_FACTS), locations, start, end, note]
               for a, name, csp, model, facts, locations, start, end, note in ARRANGEMENTS))
    # Columns in another order than the ontology's, as a user might have them.
    write_csv(folder / "company.csv", ["legal_name", "legal_name_en", "foreign_branch", "multi_cloud"], [COMPANY])
    write_csv(folder / "systems.csv", ["system_id", "arrangement_id", "name", "criticality", "material",
                                       "natural_person_data", "data_locations"],
              ((s, a, n, c, m, npd, loc) for s, n, a, c, m, npd, loc in SYSTEMS))
    write_csv(folder / "contracts.csv", ["contract_id", "arrangement_id", "signed_on", "expires_on", "clauses"],
              ((k, a, roc(s), roc(e) if e else None, ";".join(c)) for k, a, s, e, c in CONTRACTS))
    write_csv(folder / "controls.csv",
              ["control_id", "name", "owner", "frequency_months", "satisfies", "applies_to"],
              (c[:6] for c in CONTROLS), encoding="cp950")
    write_csv(folder / "evidence.csv",
              ["evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title", "uri",
               "sha256"], evidence_rows(), encoding="utf-8-sig")
    write_csv(folder / "audits.csv", ["audit_id", "arrangement_id", "kind", "performed_on", "auditor", "independent"],
              ((i, a, k, roc_words(d), who, ind) for i, a, k, d, who, ind in AUDITS))
    write_csv(folder / "findings.csv", ["finding_id", "audit_id", "severity", "status", "due_on", "closed_on",
                                        "provisions", "title"],
              ((f, a, sev, st, roc(due).replace("/", "-"), roc(closed) if closed else None, cited, title)
               for f, a, sev, st, due, closed, cited, title in FINDINGS))
    write_csv(folder / "approvals.csv", ["approval_id", "arrangement_id", "kind", "reference", "decided_on",
                                         "valid_until", "provisions"],
              ((i, a, k, ref, roc_words(d), v, cited) for i, a, k, ref, d, v, cited in APPROVALS))


# ---------------------------------------------------------------- 北辰範例產物 (XLSX)

D = dt.date
P_URI = "https://grc.example.com.tw/polaris/evidence"
WORKBOOK: dict[str, tuple[list[str], list[list[Cell]]]] = {
    "csps": (["csp_id", "name", "country"], [
        ["P-CSP-01", "福爾摩沙電信股份有限公司 雲端事業處", "TW"],
        ["P-CSP-02", "Nimbus Global Cloud Pte. Ltd.", "SG"],
    ]),
    "certifications": (["certification_id", "csp_id", "standard", "scope", "issuer", "valid_from", "valid_until"], [
        ["P-CERT-01", "P-CSP-01", "ISO27001", "雲端平台服務", "TAF 認可驗證機構", D(2025, 6, 1), D(2028, 5, 31)],
        ["P-CERT-02", "P-CSP-02", "SOC2", "Type II", "Ernst & Young LLP", D(2025, 10, 1), D(2026, 12, 31)],
    ]),
    "arrangements": ([
        "arrangement_id", "name", "csp_id", "service_model", "material", "offshore", "natural_person_data",
        "customer_data", "hybrid_cloud", "internet_access", "vm_or_container_images", "subcontracting",
        "foreign_branch", "data_locations", "start_date", "end_date"], [
        ["P-ARR-CLAIMS", "車險理賠影像平台", "P-CSP-01", "PaaS", "是", "否", "是", "是", "是", "是", "是", "否", "否",
         "TW", D(2024, 5, 1), None],
        ["P-ARR-EMAIL", "電子郵件 (SaaS)", "P-CSP-02", "SaaS", "否", "是", "否", "否", "否", "是", "否", "否", "否",
         "SG", D(2023, 1, 1), None],
    ]),
    "company": (["legal_name", "legal_name_en", "foreign_branch", "multi_cloud"], [
        ["北辰範例產物保險股份有限公司", "Polaris Example General Insurance Co., Ltd.", "否", "是"],
    ]),
    "systems": (["system_id", "name", "arrangement_id", "criticality", "material", "natural_person_data",
                 "data_locations"], [
        ["P-SYS-01", "理賠影像系統", "P-ARR-CLAIMS", "high", "是", "是", "TW"],
        ["P-SYS-02", "電子郵件", "P-ARR-EMAIL", "low", "否", "否", "SG"],
    ]),
    "contracts": (["contract_id", "arrangement_id", "signed_on", "expires_on", "clauses"], [
        ["P-K-01", "P-ARR-CLAIMS", D(2024, 4, 15), D(2027, 4, 14), "A6.P1.I1;A6.P1.I2;A6.P1.I3;A6.P1.I5;A6.P1.I6"],
        ["P-K-02", "P-ARR-EMAIL", "112/01/01", None, "A6.P1.I1;A6.P1.I3"],
    ]),
    "controls": (["control_id", "name", "owner", "frequency_months", "satisfies", "applies_to"], [
        ["P-CTL-01", "雲端服務管理規範年度檢視", "法令遵循部", 12, "A4.P1.I1", None],
        ["P-CTL-02", "雲端服務業者盡職調查", "資訊部", 12, "A5.P1.I1;A5.P1.I2", "*"],
        ["P-CTL-03", "映像檔管理", "資訊安全部", 3, "A7.P1.I1.S1", "P-ARR-CLAIMS"],
        ["P-CTL-04", "多因子驗證", "資訊安全部", 6, "A7.P1.I2.S3", "*"],
        ["P-CTL-05", "客戶資料加密", "資訊安全部", 12, "A7.P1.I3.S1", "P-ARR-CLAIMS"],
        ["P-CTL-06", "雲端備份還原測試", "資訊部", 6, "A10.P1.I5", "*"],
    ]),
    "evidence": (["evidence_id", "control_id", "arrangement_id", "collected_on", "valid_until", "title", "uri",
                  "sha256"], [
        ["P-EV-01", "P-CTL-01", None, D(2026, 3, 2), None, "規範檢視紀錄 115年3月", f"{P_URI}/EV-01", None],
        ["P-EV-02", "P-CTL-02", None, D(2026, 6, 30), None, "盡職調查報告 115年", f"{P_URI}/EV-02", None],
        ["P-EV-03", "P-CTL-03", "P-ARR-CLAIMS", D(2026, 10, 5), None, "映像檔掃描 115年10月", None, None],
        ["P-EV-04", "P-CTL-03", "P-ARR-CLAIMS", D(2026, 4, 6), None, "映像檔掃描 115年4月", None, None],
        ["P-EV-05", "P-CTL-04", "P-ARR-CLAIMS", D(2025, 12, 1), None, "MFA 設定檢核", None, None],
        ["P-EV-06", "P-CTL-05", "P-ARR-CLAIMS", "民國115年8月12日", D(2026, 11, 1), "加密設定檢核", None, None],
        ["P-EV-07", "P-CTL-06", None, D(2026, 9, 18), None, "備份還原測試 115年9月", None, None],
    ]),
    "audits": (["audit_id", "arrangement_id", "kind", "performed_on", "auditor", "independent"], [
        ["P-AUD-01", "P-ARR-CLAIMS", "general", D(2026, 5, 20), "稽核室", False],
    ]),
    "findings": (["finding_id", "audit_id", "severity", "status", "due_on", "closed_on", "provisions", "title"], [
        ["P-F-01", "P-AUD-01", "medium", "open", D(2026, 9, 30), None, "A7.P1.I1.S1", "理賠影像平台映像檔未定期掃描"],
    ]),
    "approvals": (["approval_id", "arrangement_id", "kind", "reference", "decided_on", "valid_until", "provisions"], [
        ["P-APV-01", None, "board_resolution", "北辰董字第1150003號", D(2026, 3, 20), None, "A4.P1.I1"],
    ]),
}


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook bytes every run: fixed timestamps on every zip entry."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time as `modified`
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-11-29T00:00:00Z", content)
            dst.writestr(entry, content)
    return out.getvalue()


def write_workbook(path: Path) -> None:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    stamp = dt.datetime(2026, 11, 29)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "regtrace examples/make_examples.py"
    for name, (header, rows) in WORKBOOK.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_deterministic_zip(buffer.getvalue()))


def main() -> None:
    write_insurer(HERE / "insurer")
    write_workbook(HERE / "insurer-xlsx" / "registers.xlsx")
    print(f"wrote {HERE / 'insurer'} and {HERE / 'insurer-xlsx' / 'registers.xlsx'}")


if __name__ == "__main__":
    main()
