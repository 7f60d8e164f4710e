"""Layer 3, lake: where data lands. lake.Lake (layout + store + listing cache), the local
and S3 stores (the S3 client handed in), Parquet, one schema per table, compaction."""
