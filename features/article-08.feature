# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A8
功能: 第八條 人力培訓與人力提升 Art. 8 staff training and capacity
  條文：各會員公司應定期執行人力培訓與人力提升規劃，以確保具備足夠之專業知識與資源。相關內容包含：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @company @control_evidence
  場景: A8.P1.I1 第八條第一項第一款（應 shall）
    條文：專責單位應依據使用雲端服務之範圍，規劃適當人力與資源，以確保組織擁有足夠之資源進行雲端服務維運與管理，並能以風險為基礎方法做出適當之決策與監督。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A8.P1.I1 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A8.P1.I2 第八條第一項第二款（應 shall）
    條文：依據涉及雲端服務之人員角色權責，規劃適當教育訓練並提供必要之資源（包含資訊安全、風險認知和雲端知識技能等內容），以提升相關人員對於雲端服務導入、使用以及監控等面向的管理能力。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A8.P1.I2 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A8.P1.I3 第八條第一項第三款（應 shall）
    條文：應檢視人力培訓之規劃及機制，以維持教育訓練的有效性。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A8.P1.I3 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
