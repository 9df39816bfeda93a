-- Back to Postgres' default TOAST target for papers: the tuning of 0002 only
-- served a bulk-ingest target that is retired (BENCHMARKS.md, Ingestion).
ALTER TABLE "papers" RESET (toast_tuple_target);
