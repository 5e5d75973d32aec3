-- How hard a plan's backups compress (DESIGN.md: "compressed with zstd at the plan's level"):
-- none, fast (zstd 1, what every backup used before) or balanced (zstd 3). The stronger levels are
-- for the repository's nightly recompression, off the backup's clock.
alter table plan add column compression text not null default 'fast'
    check (compression in ('none', 'fast', 'balanced'));
