# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A11
功能: 第十一條 內部控制及內部稽核 Art. 11 internal control and internal audit
  條文：各會員公司應將本自律規範內容，納入內部控制及內部稽核制度中，並定期辦理查核。
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @company @control_evidence
  場景: A11.P1 第十一條第一項（應 shall）
    條文：各會員公司應將本自律規範內容，納入內部控制及內部稽核制度中，並定期辦理查核。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A11.P1 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
