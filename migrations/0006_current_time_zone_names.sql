-- Time zones were stored in the spelling Node's ICU data resolves to (Asia/Calcutta);
-- paperboy now stores the current IANA names (Asia/Kolkata). Both name the same
-- zone, so only the spelling changes. The list is src/subscribers/timezones.ts's
-- currentNameOf at the time of writing.
UPDATE subscribers SET timezone = m.current_name
FROM (VALUES
  ('Africa/Asmera', 'Africa/Asmara'),
  ('America/Buenos_Aires', 'America/Argentina/Buenos_Aires'),
  ('America/Catamarca', 'America/Argentina/Catamarca'),
  ('America/Cordoba', 'America/Argentina/Cordoba'),
  ('America/Jujuy', 'America/Argentina/Jujuy'),
  ('America/Mendoza', 'America/Argentina/Mendoza'),
  ('America/Coral_Harbour', 'America/Atikokan'),
  ('America/Indianapolis', 'America/Indiana/Indianapolis'),
  ('America/Louisville', 'America/Kentucky/Louisville'),
  ('America/Godthab', 'America/Nuuk'),
  ('Asia/Saigon', 'Asia/Ho_Chi_Minh'),
  ('Asia/Katmandu', 'Asia/Kathmandu'),
  ('Asia/Calcutta', 'Asia/Kolkata'),
  ('Asia/Rangoon', 'Asia/Yangon'),
  ('Atlantic/Faeroe', 'Atlantic/Faroe'),
  ('Europe/Kiev', 'Europe/Kyiv'),
  ('Pacific/Truk', 'Pacific/Chuuk'),
  ('Pacific/Enderbury', 'Pacific/Kanton'),
  ('Pacific/Ponape', 'Pacific/Pohnpei')
) AS m(old_name, current_name)
WHERE subscribers.timezone = m.old_name;
