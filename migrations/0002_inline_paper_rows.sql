-- Keep a paper's row whole in its page. A row with a long abstract is a little
-- over Postgres' default 2 kB TOAST target, and squeezing it under that target
-- (pglz-compressing the abstract) cost about a third of an insert's time on
-- the project's machine; rows stay far below the 8 kB page either way.
ALTER TABLE "papers" SET (toast_tuple_target = 8160);
