# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A4
功能: 第四條 雲端服務治理機制 Art. 4 cloud governance
  條文：各會員公司應建立雲端服務治理機制，規劃並確認以下事項：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @company @control_evidence
  場景: A4.P1.I1 第四條第一項第一款（應 shall）
    條文：應制訂雲端服務之規範，並至少每年檢視一次。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence；每 12 個月 every 12 months

    假設 義務 A4.P1.I1 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P1.I2 第四條第一項第二款（應 shall）
    條文：專責單位及相關單位對雲端服務使用之角色權責與責任劃分。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I2 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P1.I3 第四條第一項第三款（應 shall）
    條文：建立風險評估機制，評估使用雲端服務之潛在風險。風險評估機制係指各會員公司應針對雲端服務採取風險基礎方法評估潛在風險與管理風險議題，評估項目宜包括：
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I3 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @company @control_evidence
  場景: A4.P1.I3.S1 第四條第一項第三款第一目（宜 should）
    條文：雲端服務使用模式與情境。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I3.S1 之規範效力為「宜 should」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @company @control_evidence
  場景: A4.P1.I3.S2 第四條第一項第三款第二目（宜 should）
    條文：雲端服務所涉及之業務與資料。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I3.S2 之規範效力為「宜 should」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @company @control_evidence
  場景: A4.P1.I3.S3 第四條第一項第三款第三目（宜 should）
    條文：雲端服務中斷所造成影響及衝擊程度。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I3.S3 之規範效力為「宜 should」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @company @control_evidence
  場景: A4.P1.I3.S4 第四條第一項第三款第四目（宜 should）
    條文：雲端服務的互通性。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I3.S4 之規範效力為「宜 should」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @company @control_evidence
  場景: A4.P1.I3.S5 第四條第一項第三款第五目（宜 should）
    條文：會員公司對於雲端服務之管理能力與經驗。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I3.S5 之規範效力為「宜 should」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P1.I4 第四條第一項第四款（應 shall）
    條文：建立對雲端服務業者之管理盡職調查與定期審查程序。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I4 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P1.I5 第四條第一項第五款（應 shall）
    條文：依風險基礎方法進行查核及監督。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I5 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P1.I6 第四條第一項第六款（應 shall）
    條文：建立雲端服務查核及業務持續性管理要求。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I6 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P1.I7 第四條第一項第七款（應 shall）
    條文：定期舉辦或參加雲端服務相關的人才培訓，以確保會員公司具備管理雲端技術風險、監督及審查雲端服務之知識及能力。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P1.I7 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P2.I1 第四條第二項第一款（應 shall）
    條文：各會員公司採用雲端服務應具備定期審查制度，並應與組織資訊策略一致，以確保管理策略及機制可因應組織、外在科技等議題影響持續更新。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P2.I1 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @offshore
  場景大綱: A4.P2.I2 第四條第二項第二款（應 shall）
    條文：各會員公司如將作業項目委託至境外處理，應評估雲端服務業者之客戶資料處理地及其儲存地之資料保護法規，不得低於我國要求。如有高風險之情形者，會員公司應採行妥適之風險控管措施。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P2.I2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「境外處理」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @should @company @control_evidence
  場景: A4.P2.I3 第四條第二項第三款（宜 should）
    條文：作業委託雲端服務業者宜適度分散，惟採取多雲或其他分散策略時，應同時考量營運複雜性提升之風險。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P2.I3 之規範效力為「宜 should」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P2.I4 第四條第二項第四款（應 shall）
    條文：各會員公司應依使用雲端服務之風險建立適當之監控機制，監控雲端資源負載、安全防護與服務可用性，以健全業務持續性運作。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P2.I4 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P2.I5 第四條第二項第五款（應 shall）
    條文：應建立雲端服務資料可用性與互通性政策和程序，確保於服務結束時，可將系統遷移或資料遷出雲端服務。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P2.I5 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @company @control_evidence
  場景: A4.P3 第四條第三項（應 shall）
    條文：董（理）事會應認知及監督各會員公司涉及雲端服務委外事項之風險，確保各會員公司對於控管雲端服務風險事項具備充足之資源、專業及權限。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A4.P3 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
