"""``bmstui bench holds``: hold+release throughput and latency (filled in by the seat engine)."""


def add_parser(bench_sub, common) -> None:
    pass
