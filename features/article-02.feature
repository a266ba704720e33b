# language: zh-TW
# 由 `regtrace features` 依規範圖產生，請勿手動修改。Generated from the regulation graph by `regtrace features`; do not edit.
@A2
功能: 第二條 適用範圍 Art. 2 scope
  條文：本自律規範適用之範圍，以保險業依「保險業作業委託他人處理應注意事項」將作業委託他人處理，並涉及使用雲端服務為限。除本自律規範另有訂定外，會員公司應按「保險業作業委託他人處理應注意事項」辦理。
  說明：每一義務為一個場景；適用於各委外事項之義務為場景大綱，其例子（委外事項）於執行時依基準日有效之委外事項產生。
  說明 note: one scenario per obligation; on arrangements, a scenario outline whose examples are the arrangements in effect on the as-of date, supplied at run time.

  @shall @company @control_evidence
  場景: A2.P1 第二條第一項（應 shall）
    條文：本自律規範適用之範圍，以保險業依「保險業作業委託他人處理應注意事項」將作業委託他人處理，並涉及使用雲端服務為限。除本自律規範另有訂定外，會員公司應按「保險業作業委託他人處理應注意事項」辦理。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A2.P1 之規範效力為「應 shall」
    而且 適用對象為全公司
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集

  @shall @arrangement @control_evidence @foreign_branch
  場景大綱: A2.P2 第二條第二項（應 shall）
    條文：外國保險業在臺分支機構因內部分工將作業交由國外總機構或經其授權之區域總部處理使用雲端服務者，可依國外總機構或經其授權之區域總部所訂之管控措施辦理，惟相關控管措施不得低於我國法規及自律規範之要求。外國保險業在臺分支機構應就在臺業務建立妥適內部控制制度及風險管理機制，充分掌握在臺作業雲端委外事項之控管情形。
    判定：適用之控制措施及有效佐證資料 controls with fresh evidence

    假設 義務 A2.P2 之規範效力為「應 shall」
    而且 委外事項 <委外事項> 符合適用條件「外國保險業在臺分支機構」
    當 以基準日追溯
    那麼 應有滿足本條之控制措施，且其佐證於 12 個月內蒐集
