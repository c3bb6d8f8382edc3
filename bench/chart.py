"""A PNG chart of retrieval latency against corpus size, from the tables the scale benchmarks wrote.

    python -m bench.chart   # reads bench/results/retrieval_scale.md (+ server_scale.md if present)

Writes bench/results/retrieval_scale.png: p50 per query (solid) and p95 (dashed) of raw Chroma (the
floor), coach's dense half, the FTS5 keyword half, the rank-bm25 baseline and coach's hybrid retrieval,
and hybrid against a Chroma server when that table exists. Needs matplotlib (dev extra).
"""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SERIES = {  # table column header -> legend label
    "raw Chroma p50/p95 ms": "raw Chroma (floor)",
    "dense p50/p95": "coach dense",
    "lexical (FTS5) p50/p95": "coach keywords (FTS5)",
    "rank-bm25 p50/p95": "rank-bm25 baseline",
    "hybrid p50/p95": "coach hybrid",
}
SERVER_SERIES = {"hybrid p50/p95": "coach hybrid, Chroma server"}


def read_table(path: Path) -> list[dict[str, str]]:
    """The first Markdown table of a file, as one dict per row keyed by header."""
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    if len(rows) < 3:
        raise SystemExit(f"no table in {path}")
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in row.strip("|").split("|")), strict=True)) for row in rows[2:]]


def pair(cell: str) -> tuple[float, float]:
    p50, p95 = (float(x) for x in cell.split("/"))
    return p50, p95


def plot(out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    sources = [(RESULTS / "retrieval_scale.md", SERIES), (RESULTS / "server_scale.md", SERVER_SERIES)]
    for path, series in sources:
        if not path.exists():
            continue
        rows = read_table(path)
        sizes = [int(r["chunks"]) for r in rows]
        for column, label in series.items():
            if column not in rows[0]:
                continue
            values = [pair(r[column]) for r in rows]
            line = ax.plot(sizes, [v[0] for v in values], marker="o", label=f"{label} p50")[0]
            ax.plot(sizes, [v[1] for v in values], linestyle="--", color=line.get_color(), alpha=0.6)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the store (synthetic, hash embedding)")
    ax.set_ylabel("ms per query (solid p50, dashed p95)")
    ax.set_title("coach retrieval latency vs corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def main() -> None:
    print(plot(RESULTS / "retrieval_scale.png"))


if __name__ == "__main__":
    main()
