"""What the benchmarks share: sample complaints and nearest-rank percentiles."""

from __future__ import annotations

SAMPLE_COMPLAINTS = [
    "你们业务员骗我买了这个保险,我要全额退保,还要赔我利息!",
    "我住院花了三万多，你们凭什么拒赔？今天必须给我个说法！",
    "我們一家五口人一起來的，你們不給說法我就找記者曝光！",
    "Your agent lied to me when I bought this policy. I want a full refund today!",
    "你们柜员态度太差了，排队等了两个小时，我要投诉她，必须开除！",
    "叫你们经理来！你知道我是谁吗？",
]


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 1]; NaN for no samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def p50_p95(stats: dict[str, float]) -> str:
    """A latency cell: ``p50 / p95`` in ms."""
    return f"{stats['p50']:.1f} / {stats['p95']:.1f}"
