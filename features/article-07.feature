# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A7
功能: 第七條 資安控管機制 Art. 7 information security controls
  條文：各會員公司應依風險基礎方法規劃適當之資安控管機制及建立相關程序，並考量下列事項：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @arrangement @control_evidence @vm_or_container_images
  場景大綱: A7.P1.I1.S1 第七條第一項第一款第一目（應 shall）
    條文：如採用虛擬機和容器之映像檔進行部署，應建立映像檔管理機制，以確保其完整性及安全性。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I1.S1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「虛擬機或容器映像檔」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I1.S2 第七條第一項第一款第二目（應 shall）
    條文：應控管雲端環境與地端環境之間的連線，並使用加密通訊協定或專線。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I1.S2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I1.S3 第七條第一項第一款第三目（應 shall）
    條文：應依雲端服務之正式及非正式區進行適當區隔。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I1.S3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I1.S4 第七條第一項第一款第四目（應 shall）
    條文：應定期評估雲端服務之基礎架構安全管理機制。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I1.S4 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I2.S1 第七條第一項第二款第一目（應 shall）
    條文：應依最小權限原則及職責分離原則管理雲端系統及機敏資訊之存取權限。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I2.S1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I2.S2 第七條第一項第二款第二目（應 shall）
    條文：使用特權帳號應採取適當控管機制（如多因子身分驗證或特權帳號管理系統），並定期辦理帳號清查。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I2.S2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @internet_access
  場景大綱: A7.P1.I2.S3 第七條第一項第二款第三目（應 shall）
    條文：如開放透過網際網路直接存取雲端服務者，應建立身分識別與存取控制等安全控制措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I2.S3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「開放網際網路存取」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @customer_data
  場景大綱: A7.P1.I3.S1 第七條第一項第三款第一目（應 shall）
    條文：傳輸及儲存客戶資料至雲端環境者，應採行資料加密或代碼化等有效保護措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I3.S1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「涉及客戶資料」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence
  場景大綱: A7.P1.I3.S2 第七條第一項第三款第二目（宜 should）
    條文：宜依據雲端服務之使用目的實施存取控制措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I3.S2 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I3.S3 第七條第一項第三款第三目（應 shall）
    條文：會員公司對於雲端服務業者處理之資料應保有完整所有權，除執行指定作業或經會員公司同意之作業外，應確保雲端服務業者不得有存取客戶資料之權限，不得為指定範圍以外之利用，並遵守資料保密的相關法規要求。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I3.S3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I4.S1 第七條第一項第四款第一目（應 shall）
    條文：應根據資料的分類、相關風險及加密技術的可用性，使用安全且合適的加密演算法。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I4.S1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence
  場景大綱: A7.P1.I4.S2 第七條第一項第四款第二目（應 shall）
    條文：應區隔加密金鑰儲存位置並設置適當存取安全控管措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I4.S2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @self_managed
  場景大綱: A7.P1.I5.S1.N1 第七條第一項第五款第一目第1點（應 shall）
    條文：應留存會員公司對於雲端服務平台操作之稽核軌跡，宜考量集中管理稽核軌跡與監控資料，及避免稽核軌跡留存未加密之客戶資料。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S1.N1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @self_managed
  場景大綱: A7.P1.I5.S1.N2 第七條第一項第五款第一目第2點（宜 should）
    條文：宜針對雲端安全事件場景制定監控規則，將相關事件日誌納入資訊安全事件之監控管理機制範圍，以及早發現潛在資安風險。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S1.N2 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @arrangement @control_evidence @hybrid_cloud @self_managed
  場景大綱: A7.P1.I5.S1.N3 第七條第一項第五款第一目第3點（宜 should）
    條文：如各會員公司之雲端服務係採與其地端資訊環境介接之雲地混合模式，宜考量雲地間邊際防護，並建立日誌與監控分析相關機制。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S1.N3 之規範效力為「宜 should」
    而且 委外事項 <委外事項> 符合適用條件「雲地混合」「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @self_managed
  場景大綱: A7.P1.I5.S2.N1 第七條第一項第五款第二目第1點（應 shall）
    條文：應定期執行系統弱點掃描，依掃描結果進行修補，或完成補償性控制措施，並記錄處理情形及追蹤改善。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S2.N1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @self_managed
  場景大綱: A7.P1.I5.S2.N2 第七條第一項第五款第二目第2點（應 shall）
    條文：應持續關注雲端服務相關威脅與弱點，評估相關威脅與弱點對各會員公司之影響。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S2.N2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @self_managed
  場景大綱: A7.P1.I5.S3.N1 第七條第一項第五款第三目第1點（應 shall）
    條文：應規劃雲端服務變更管理機制，並留存變更紀錄。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S3.N1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @self_managed
  場景大綱: A7.P1.I5.S3.N2 第七條第一項第五款第三目第2點（應 shall）
    條文：應依據雲端環境、運作效能、資訊安全等面向規劃合適之組態並進行管理與監控。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A7.P1.I5.S3.N2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「自行管理之雲端環境（IaaS/PaaS）」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
