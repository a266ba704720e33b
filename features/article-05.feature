# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A5
功能: 第五條 雲端服務業者之盡職調查及定期審查 Art. 5 CSP due diligence and periodic review
  條文：各會員公司使用雲端服務時，應對雲端服務業者進行盡職調查及定期審查程序，並遵循下列事項：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @arrangement @control_evidence
  場景大綱: A5.P1 第五條第一項（應 shall）
    條文：各會員公司使用雲端服務時，應對雲端服務業者進行盡職調查及定期審查程序，並遵循下列事項：
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A5.P1.I1 第五條第一項第一款（應 shall）
    條文：應評估雲端服務業者之專業知識、經驗與資源、財務健全、內部控制、資安管理機制及符合法規要求。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A5.P1.I2 第五條第一項第二款（應 shall）
    條文：以風險基礎方法決定其執行強度，評估項目宜包含：
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S1 第五條第一項第二款第一目（宜 should）
    條文：各會員公司是否保有其指定資料處理地及其儲存地之權利，以及雲端服務業者辦理受託作業之客戶資料處理地及其儲存地之司法管轄區，是否可能對各會員公司使用雲端服務造成其他營運風險。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S1 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S2 第五條第一項第二款第二目（宜 should）
    條文：雲端服務業者是否實施適當之資訊安全控管措施，如：威脅與弱點管理機制、雲端基礎架構及虛擬化設備安全管理程序。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S2 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S3 第五條第一項第二款第三目（宜 should）
    條文：雲端服務業者是否已建立資料銷毀、資料遺失和資料外洩通報管理機制。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S3 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S4 第五條第一項第二款第四目（宜 should）
    條文：雲端服務業者之服務水準、備援機制、資訊安全防護能力、資訊安全事件通報責任管理、業務持續運作與災難復原能力是否可符合各會員公司需求。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S4 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S5 第五條第一項第二款第五目（宜 should）
    條文：雲端服務之互通性，確保於服務結束時，是否可將系統遷移或將資料遷出雲端服務。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S5 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S6 第五條第一項第二款第六目（宜 should）
    條文：雲端服務業者提供之資源與其他承租人所使用之資源是否有邏輯區隔。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S6 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A5.P1.I2.S7 第五條第一項第二款第七目（宜 should）
    條文：雲端服務業者之安全性事件及系統日誌紀錄保存機制是否符合會員公司資訊安全之需求。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P1.I2.S7 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A5.P3 第五條第三項（應 shall）
    條文：各會員公司對使用雲端服務負有最終監督義務，應具有專業技術及資源負責辨識風險因子，監督及審查雲端服務，並宜以風險基礎方法和所採用之雲端服務模式決定其執行強度與頻率，必要時得視需要委託專業第三人以輔助其監督作業。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A5.P3.I1 第五條第三項第一款（應 shall）
    條文：各會員公司應以風險基礎方法定期審查雲端服務作業委外契約或書面協議的執行情形，並依據風險、法令和業務變化評估其妥適性。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P3.I1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @subcontracting
  場景大綱: A5.P3.I2 第五條第三項第二款（應 shall）
    條文：各會員公司除直接委託雲端服務業者外，如同意其受委託機構將雲端服務複委託予雲端服務業者時，應針對複委託情形，訂明複委託之範圍、限制或條件。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P3.I2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「複委託」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @customer_data
  場景大綱: A5.P3.I3 第五條第三項第三款（應 shall）
    條文：各會員公司使用雲端服務涉及客戶資料之登錄、處理、輸出或儲存時，應確認雲端服務業者於辦理涉及提供雲端服務之設備更換或銷毀時，具備相關機制可確保資料遷移過程安全性及完整性，及汰換設備內之資料經刪除或銷毀。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P3.I3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「涉及客戶資料」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A5.P3.I4 第五條第三項第四款（應 shall）
    條文：各會員公司應定期確認雲端服務是否維持所需之服務水準並定期檢視服務水準報告。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A5.P3.I4 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
