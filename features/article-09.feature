# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A9
功能: 第九條 雲端服務查核 Art. 9 audits of cloud services
  條文：各會員公司應針對雲端服務業者規劃雲端服務查核作業。相關內容包含：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @arrangement @control_evidence
  場景大綱: A9.P1 第九條第一項（應 shall）
    條文：各會員公司應針對雲端服務業者規劃雲端服務查核作業。相關內容包含：
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @audit_frequency @material_npd_offshore_system
  場景大綱: A9.P1.I1.S1 第九條第一項第一款第一目（應 shall）
    條文：雲端服務涉及自然人客戶相關資料之重大性業務資訊系統委託至境外處理時，每年至少應辦理一次一般性查核及一次專案查核。
    判定：十二個月內辦理一般性及專案查核 a general and a project audit in the last 12 months；每 12 個月 every 12 months

    假設 義務 A9.P1.I1.S1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「涉及自然人客戶資料之重大性系統委託境外處理」
    當 以基準日追溯
    那麼 應於 12 個月內辦理一般性查核及專案查核各一次

  @shall @arrangement @control_evidence @material_npd_offshore_system
  場景大綱: A9.P1.I1.S2 第九條第一項第一款第二目（應 shall）
    條文：辦理非屬上述類型之雲端服務委外事項時，應依據風險基礎方法規劃與調整查核頻率。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I1.S2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「涉及自然人客戶資料之重大性系統委託境外處理」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @third_party_audit
  場景大綱: A9.P1.I2 第九條第一項第二款（應 shall）
    條文：得委託具資訊專業之獨立第三人協助進行查核，並應評估獨立第三人之適格性，評估內容包含執行查核所需的專業知識、專業技能與獨立性。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「委託獨立第三人查核」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A9.P1.I3 第九條第一項第三款（應 shall）
    條文：針對查核時所發現的缺失項目，應追蹤改善情況並依實際情況採取合適的補償性措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @material
  場景大綱: A9.P1.I4.S1 第九條第一項第四款第一目（宜 should）
    條文：確認雲端服務作業內容執行之妥適性，與是否符合本國相關規範及國際資訊安全標準。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I4.S1 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @material
  場景大綱: A9.P1.I4.S2 第九條第一項第四款第二目（宜 should）
    條文：評估資料中心實體安全控制之充足性。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I4.S2 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @material
  場景大綱: A9.P1.I4.S3 第九條第一項第四款第三目（宜 should）
    條文：雲端服務業者之營運持續性控制措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I4.S3 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @material
  場景大綱: A9.P1.I4.S4 第九條第一項第四款第四目（宜 should）
    條文：雲端服務業者處理作業相關之重要系統及控制環節。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I4.S4 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @material
  場景大綱: A9.P1.I4.S5 第九條第一項第四款第五目（宜 should）
    條文：盡職調查過程中雲端服務業者所提供之報告內容。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I4.S5 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @material
  場景大綱: A9.P1.I4.S6 第九條第一項第四款第六目（宜 should）
    條文：雲端平台資料刪除與災難復原流程。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P1.I4.S6 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @foreign_branch
  場景大綱: A9.P2 第九條第二項（應 shall）
    條文：外國保險業在臺分支機構得交由國外總機構或經其授權之區域總部稽核單位辦理，相關單位並應提供相關雲端查核報告予該外國保險業在臺分支機構。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A9.P2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「外國保險業在臺分支機構」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
