# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A6
功能: 第六條 服務使用契約 Art. 6 service contract contents
  條文：各會員公司作業委外使用雲端服務應與雲端服務業者達成服務使用契約或協議，其內容除依「保險業作業委託他人處理應注意事項」第九點及第十六點規定外，應涵蓋下列事項：
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @arrangement @contract_clause
  場景大綱: A6.P1.I1 第六條第一項第一款（應 shall）
    條文：委外事項範圍及雲端服務業者之權責，應包括各會員公司與雲端服務業者間之責任區分及雲端服務水準。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I1 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @contract_clause
  場景大綱: A6.P1.I2 第六條第一項第二款（應 shall）
    條文：雲端服務業者提供的資料備份機制及資料刪除機制。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @contract_clause
  場景大綱: A6.P1.I3 第六條第一項第三款（應 shall）
    條文：客戶資料保密及安全措施，應包括各會員公司存放於雲端資料所有權，以及雲端服務業者向第三方揭露資料之限制。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @contract_clause
  場景大綱: A6.P1.I4 第六條第一項第四款（應 shall）
    條文：與雲端服務業者終止委外契約之重大事由，應包括服務終止之資料處理責任。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I4 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @contract_clause
  場景大綱: A6.P1.I5 第六條第一項第五款（應 shall）
    條文：雲端服務業者就受託事項範圍，同意各會員公司、主管機關或其指定之人查核之要求。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I5 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @contract_clause
  場景大綱: A6.P1.I6 第六條第一項第六款（應 shall）
    條文：雲端服務業者針對受託事項若有重大異常或缺失應立即通知各會員公司，包括對於影響各會員公司之資訊安全事件通報責任。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I6 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 無適用條件限制
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @contract_clause @material_npd_offshore_system
  場景大綱: A6.P1.I7 第六條第一項第七款（應 shall）
    條文：如涉及自然人客戶相關資料之重大性業務資訊系統委託至境外處理，應包括委外作業移轉至其他雲端服務業者或移回各會員公司之情況，原雲端服務業者有關系統遷移、資料處理之義務，及雲端服務業者服務中斷之賠償責任。
    判定：有效契約涵蓋此條款 a contract in force lists the clause

    假設 義務 A6.P1.I7 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「涉及自然人客戶資料之重大性系統委託境外處理」
    當 以基準日追溯
    那麼 應有基準日有效之契約涵蓋本條款

  @shall @arrangement @control_evidence @contract_incomplete
  場景大綱: A6.P2 第六條第二項（應 shall）
    條文：前揭契約或協議內容如無法符合本條第一項要求，應採取適當評估，並依風險規劃替代措施，以確保各會員公司對雲端服務業者之最終監督義務之執行。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A6.P2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「契約內容未符第六條第一項」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @foreign_branch @subcontracting
  場景大綱: A6.P3 第六條第三項（應 shall）
    條文：外國保險業在臺分支機構經由國外總機構或經其授權之區域總部複委託第三方提供雲端服務之情形，得由國外總機構或經其授權之區域總部負責統籌協議約定事宜，且服務使用協議應符合本條第一項及第二項之要求。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A6.P3 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「外國保險業在臺分支機構」「複委託」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
