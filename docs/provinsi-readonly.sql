-- The province's read-only role: `sop-docs status --semua-kantor` with it reads every office's
-- open cases, `sop-docs laporan --semua-kantor` their year's recap; PostgreSQL refuses it any
-- write. / Peran baca-saja PPID provinsi.
--
-- Run it as a superuser (or the owner of the offices' schemas), in the offices' database, naming
-- the role sop-docs connects with (the one that creates each office's schema and tables):
--
--     psql -d sop -v owner=sop_docs -f docs/provinsi-readonly.sql
--
-- Run it again after an office was added by ANOTHER role: default privileges (the last two
-- statements) apply only to what `owner` creates afterwards; the GRANTs cover what exists now.
-- The role logs in without a password here (pg_hba.conf decides how it authenticates: give it
-- one with `ALTER ROLE ppid_provinsi PASSWORD '…'` and a scram-sha-256 line; never write the
-- password in sop.toml: PGPASSWORD or a passfile).

\if :{?owner}
\else
  \set owner sop_docs
\endif

SELECT 'CREATE ROLE ppid_provinsi LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ppid_provinsi') \gexec

GRANT CONNECT ON DATABASE :"DBNAME" TO ppid_provinsi;
GRANT USAGE ON SCHEMA public TO ppid_provinsi;
GRANT SELECT ON public.sop_docs_kantor TO ppid_provinsi;

-- every office that exists now: its schema kantor_<kode> and the tables in it
SELECT format('GRANT USAGE ON SCHEMA %I TO ppid_provinsi', nspname),
       format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO ppid_provinsi', nspname)
  FROM pg_namespace WHERE nspname LIKE 'kantor\_%' \gexec

-- every office `owner` adds later: its schema, and the tables it creates in it
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE ON SCHEMAS TO ppid_provinsi;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT SELECT ON TABLES TO ppid_provinsi;
