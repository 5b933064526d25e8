-- Per chunk of a copy run: the order-independent hash of the source rows it kept, taken while they
-- streamed to the target, and the hash of the same rows read back from the target when the chunk's
-- range can be read there (key ranges); 32 hexadecimal digits each.
ALTER TABLE run_chunks ADD COLUMN source_hash TEXT;
ALTER TABLE run_chunks ADD COLUMN target_hash TEXT;
