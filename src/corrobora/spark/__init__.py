"""The per-document stage on Apache Spark (`corrobora spark extract|ingest|load`).

Extraction runs unchanged on the executors (spark/job.py: mapInArrow, one Extractor per
Python worker) over files, JSONL, Parquet and WARC inputs (spark/inputs.py), writing Parquet
extraction records; fusion then loads them into a store on the driver in input order,
incrementally (spark/records.py). The stored result is the one `corrobora ingest` gives.
PySpark is the optional `spark` extra: `pip install 'corrobora[spark]'`.
"""
