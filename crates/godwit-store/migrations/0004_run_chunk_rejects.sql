-- Rows of a chunk that the target refused and the run set aside (`godwit copy --on-error skip`); the
-- rows themselves, with the target's error, are kept in the target's godwit_copy.rejects table.
ALTER TABLE run_chunks ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
