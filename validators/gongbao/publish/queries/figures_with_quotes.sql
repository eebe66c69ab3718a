-- title: Figures with their quotes
-- description: Every figure a region reports, in English and Chinese, with the verbatim quote it comes from and the article (its URL when the source has one). Leave the boxes empty for all figures, or narrow them: a place (Chongqing, 重庆, 500000) and a metric (good_air_days, or words of its name: air).
select
  i.indicator_id,
  j.name_en as place,
  j.name_zh as place_zh,
  i.year,
  m.label_en as metric,
  m.label_zh as metric_zh,
  i.value,
  i.value_label,
  i.unit,
  i.change,
  i.change_unit,
  i.evidence as quote,
  s.publisher || ' ' || s.published || ': ' || s.title as article_title,
  s.url as article,
  i.source_id
from indicators i
join jurisdictions j on j.code = i.jurisdiction_code
join metrics m on m.metric = i.metric
join sources s on s.source_id = i.source_id
where (trim(:place) = '' or j.code = trim(:place) or lower(j.name_en) = lower(trim(:place))
       or j.name_zh = trim(:place) or j.name_zh like trim(:place) || '_')
  and (trim(:metric) = '' or i.metric = trim(:metric)
       or lower(m.label_en) like '%' || lower(trim(:metric)) || '%' or m.label_zh like '%' || trim(:metric) || '%')
order by j.name_en, i.year, i.metric
