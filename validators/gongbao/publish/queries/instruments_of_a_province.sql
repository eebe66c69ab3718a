-- title: Instruments of a province, with their partners
-- description: Every instrument that a body of the province (or of a city or county in it) takes part in, with the province's own parties and the partners, each marked stated (the source names it) or inferred (the curator deduced it). Type the province by English or Chinese name or by code: Sichuan, 四川, 510000.
with recursive
province(code) as (
  select code from jurisdictions
  where trim(:province) <> ''
    and (code = trim(:province) or lower(name_en) = lower(trim(:province))
         or name_zh = trim(:province) or name_zh like trim(:province) || '_')
),
places(code) as (
  select code from province
  union
  select j.code from jurisdictions j join places p on j.parent_code = p.code
),
party(agreement_id, org_id, own, described) as (
  select p.agreement_id, p.org_id, o.jurisdiction_code in (select code from places),
         o.name_en || ' [' || j.name_en || ']: ' || p.role || ', ' || p.attribution
  from parties p
  join organizations o on o.org_id = p.org_id
  join jurisdictions j on j.code = o.jurisdiction_code
  order by p.agreement_id, p.attribution desc, p.org_id
)
select
  a.agreement_id,
  a.title_en,
  a.title_zh,
  a.status,
  a.date,
  (select group_concat(described, '; ') from party
   where party.agreement_id = a.agreement_id and own) as province_parties,
  (select group_concat(described, '; ') from party
   where party.agreement_id = a.agreement_id and not own) as partners,
  a.evidence as quote,
  a.source_id,
  s.url as article
from agreements a
join sources s on s.source_id = a.source_id
where a.agreement_id in (select agreement_id from party where own)
order by a.date is null, a.date, a.agreement_id
