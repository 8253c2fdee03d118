"""`corrobora spark`: the per-document stage on Apache Spark, fusion into a store after
(docs/scaling.md). Needs the `spark` extra (PySpark) and Java 17."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from corrobora.cli._common import DEFAULT_DB, DbOption, _open, err, shown, shown_path

spark_app = typer.Typer(
    help="Extract on Apache Spark (local or a cluster), then fuse into a store "
    "(docs/scaling.md).\n\n"
    "Examples:\n\n"
    "  corrobora spark extract crawl/*.warc.gz docs.parquet -o records/ --master local[2]\n\n"
    "  corrobora spark load records/ --db corrobora.duckdb\n\n"
    "  corrobora spark ingest reports/ --db corrobora.duckdb --master local[*]",
    no_args_is_help=True,
)
InputsArg = Annotated[list[str], typer.Argument(
    help="Files and folders: any format `ingest` reads, .warc/.warc.gz/.wet, .parquet.")]
MasterOption = Annotated[str | None, typer.Option(
    "--master", help="Spark master URL (default: spark-submit's, else local[*]).")]
PartitionsOption = Annotated[int | None, typer.Option(
    "--partitions", min=1, help="Slices of the input (default: twice the cores Spark has).")]
MaxMbOption = Annotated[float, typer.Option(
    "--max-mb", min=0.001, help="Refuse documents larger than this.")]


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _extract(inputs: list[str], output: Path, master: str | None, partitions: int | None,
             max_mb: float) -> None:
    try:
        from corrobora.spark.job import extract_to_parquet, session
    except ImportError as exc:
        _fail(f"PySpark is not installed ({shown(exc)}); pip install 'corrobora[spark]'")
    if output.exists():
        _fail(f"{shown_path(output)} exists; give a new directory for the records")
    spark = session(master)
    n = extract_to_parquet(spark, inputs, str(output), partitions=partitions,
                           max_bytes=int(max_mb * 1_000_000))
    err.print(f"extracted {n} input file(s) into {shown_path(output)}", highlight=False,
              soft_wrap=True)


def _load(records: Path, db: Path, batch_size: int, quiet: bool) -> int:
    from corrobora.cli import print_outcome
    from corrobora.spark.records import RecordsError, ingest_records

    with _open(db) as store:
        start = time.perf_counter()
        try:
            summary = ingest_records(store, records, batch_size=batch_size)
        except RecordsError as exc:
            _fail(shown(exc))
        print_outcome(summary, time.perf_counter() - start, store, quiet=quiet)
    return 1 if summary.failed and summary.new + summary.already_stored == 0 else 0


@spark_app.command("extract")
def spark_extract(
    inputs: InputsArg,
    output: Annotated[Path, typer.Option("-o", "--output",
                                         help="New directory for the Parquet records.")],
    master: MasterOption = None,
    partitions: PartitionsOption = None,
    max_mb: MaxMbOption = 10.0,
) -> None:
    """Extract every document on Spark into Parquet extraction records.

    Each record holds the document, its extraction (or why it failed) and the line
    `corrobora extract` prints for it (column contract), in input order.

    Example: corrobora spark extract crawl/ -o records/ --master local[2]
    """
    _extract(inputs, output, master, partitions, max_mb)


@spark_app.command("load")
def spark_load(
    records: Annotated[Path, typer.Argument(help="Records written by `spark extract`.")],
    db: DbOption = Path(DEFAULT_DB),
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 64,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Fuse extraction records into a store, as `ingest` would (already stored: skipped).

    Example: corrobora spark load records/ --db corrobora.duckdb
    """
    raise typer.Exit(_load(records, db, batch_size, quiet))


@spark_app.command("ingest")
def spark_ingest(
    inputs: InputsArg,
    db: DbOption = Path(DEFAULT_DB),
    records: Annotated[Path | None, typer.Option(
        "--records", help="Keep the records in this new directory (default: a temporary "
                          "one beside the store, removed after).")] = None,
    master: MasterOption = None,
    partitions: PartitionsOption = None,
    max_mb: MaxMbOption = 10.0,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 64,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Extract on Spark, then fuse into the store: what `corrobora ingest` stores.

    Example: corrobora spark ingest reports/ --db corrobora.duckdb --master local[2]
    """
    scratch = None
    if records is None:
        db.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".corrobora-records-", dir=db.parent))
        records = scratch / "records"
    try:
        _extract(inputs, records, master, partitions, max_mb)
        code = _load(records, db, batch_size, quiet)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    raise typer.Exit(code)
