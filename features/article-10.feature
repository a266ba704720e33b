# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A10
功能: 第十條 業務持續性管理 Art. 10 business continuity management
  條文：各會員公司應將下列要求納入業務持續性管理機制：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I1 第十條第一項第一款（應 shall）
    條文：應針對涉及雲端服務使用之資訊系統辦理營運衝擊分析，評估雲端服務之韌性及復原能力。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I2 第十條第一項第二款（應 shall）
    條文：依據風險基礎方法考量雲端服務之重要性，規劃適當之營運持續管理機制。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I3 第十條第一項第三款（應 shall）
    條文：規劃雲端服務事件管理與應變流程，包含重大風險事件的發現與通報、緊急應變處理、以及事件管理等程序，並載明與雲端服務業者之權責劃分。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @material
  場景大綱: A10.P1.I4 第十條第一項第四款（應 shall）
    條文：辦理具重大性之雲端服務委外事項時，應依據風險基礎方法決定執行測試或演練的頻率、情境以及範圍。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I4 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「重大性委外」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I5 第十條第一項第五款（應 shall）
    條文：建立雲端資料備份機制，並留存備份清冊，備份媒體或檔案應妥善防護，確保資料可用性及防止未授權存取。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I5 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I6 第十條第一項第六款（應 shall）
    條文：於使用雲端服務前，規劃終止雲端服務委託之移轉機制。相關內容包含：
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I6 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I6.S1 第十條第一項第六款第一目（應 shall）
    條文：規劃合適之雲端服務移轉方式，可選擇將系統與資料移轉回會員公司或移轉至其他雲端服務業者等。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I6.S1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A10.P1.I6.S2 第十條第一項第六款第二目（應 shall）
    條文：會員公司應確保雲端服務契約終止或系統移轉時，刪除留存於雲端服務之資料，並留存刪除或銷毀之紀錄。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A10.P1.I6.S2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
