"""Checks of Chroma's HNSW graph files before Chroma reads them.

hnswlib trusts its files: a short file or a neighbour id past the end of the graph crashes the whole
process inside Chroma (a segmentation fault, no message). So, before the client opens a local store:

- every time, the header is compared with the file sizes (cheap: a truncated copy, a full disk);
- when a graph's files differ from the ones last found sound (size and modification time, recorded in
  ``<chroma dir>.checked.json``), every neighbour id is checked to lie inside the graph. That reads the
  whole graph (0.6 s for 290k vectors), so it is paid once per change, not at every start: ingest
  records the files it wrote.

The layout is hnswlib's as Chroma persists it (header.bin version 1): data_level0.bin holds one record
per element — a 2-byte neighbour count, 2 bytes of flags, maxM0 neighbour ids, the vector, the label —
and link_lists.bin holds, per element, a 4-byte byte length and then its upper levels, each a count and
maxM ids. Headers of another layout are left to Chroma, whose own errors are clear.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

from coach.errors import StoreError

HEADER = struct.Struct("<iQQQQQQiiQQQdQ")
GRAPH_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")


def check_graph_files(chroma_dir: Path) -> None:
    """Refuse a damaged graph with the recovery command; record the graphs found sound."""
    if not chroma_dir.is_dir():
        return
    checked, current = _read_checked(chroma_dir), _stamps(chroma_dir)
    for name, stamp in current.items():
        header = _header(chroma_dir / name)
        if header is None:
            continue
        _check_sizes(chroma_dir / name, header)
        if checked.get(name) != stamp:
            _check_links(chroma_dir / name, header)
    if checked != current:
        _write_checked(chroma_dir, current)


def record_graph_files(chroma_dir: Path) -> None:
    """After a write by this process: the files as they are now are the sound ones."""
    if chroma_dir.is_dir():
        _write_checked(chroma_dir, _stamps(chroma_dir))


def _damaged(chroma_dir: Path, problem: str) -> StoreError:
    return StoreError(
        f"the store at {chroma_dir} is damaged: {problem}",
        f"move {chroma_dir} aside and run `coach ingest --reset` (nothing else is touched)",
    )


def _header(segment: Path) -> tuple[int, ...] | None:
    raw = (segment / "header.bin").read_bytes()
    if len(raw) != HEADER.size:
        return None
    fields = HEADER.unpack(raw)
    return fields if fields[0] == 1 else None


def _check_sizes(segment: Path, header: tuple[int, ...]) -> None:
    count, per_element = header[3], header[4]
    for name, size in {"data_level0.bin": count * per_element, "length.bin": count * 4}.items():
        part = segment / name
        actual = part.stat().st_size if part.is_file() else 0
        if actual < size:
            raise _damaged(
                segment.parent,
                f"{part} is shorter than its header says ({actual} of {size} bytes; a full disk or a partial copy?)",
            )


def _check_links(segment: Path, header: tuple[int, ...]) -> None:
    _, _, _, count, per_element, label_offset, data_offset, max_level, entry, max_m, max_m0, *_ = header
    if count == 0:
        return
    if data_offset != 4 + 4 * max_m0 or label_offset + 8 != per_element or not 0 <= entry < count or max_level < 0:
        raise _damaged(segment.parent, f"{segment / 'header.bin'} does not describe a graph hnswlib can read")
    records = np.memmap(segment / "data_level0.bin", dtype=np.uint8, mode="r", shape=(count, per_element))
    level0 = np.ascontiguousarray(records[:, :data_offset]).view("<u4")
    if not _links_inside(level0, max_m0, count):
        raise _damaged(segment.parent, f"{segment / 'data_level0.bin'} holds neighbour links outside the graph")
    if not _upper_levels_inside(segment / "link_lists.bin", count, max_m, max_level):
        raise _damaged(segment.parent, f"{segment / 'link_lists.bin'} holds links outside the graph")


def _links_inside(blocks: np.ndarray, max_links: int, count: int) -> bool:
    """Each row: a count (low 16 bits of the first word), then max_links ids, the first `count` in use."""
    used = blocks[:, 0] & 0xFFFF
    if (used > max_links).any():
        return False
    in_use = np.arange(max_links) < used[:, None]
    return not (blocks[:, 1:][in_use] >= count).any()


def _upper_levels_inside(link_lists: Path, count: int, max_m: int, max_level: int) -> bool:
    raw = np.fromfile(link_lists, dtype="<u4")
    block = max_m + 1
    blocks, position = [], 0
    for _ in range(count):
        if position >= len(raw):
            return False
        size = int(raw[position])
        if size % (4 * block) or size // (4 * block) > max_level:
            return False
        words = size // 4
        if size:
            blocks.append(raw[position + 1 : position + 1 + words])
        position += 1 + words
    if position != len(raw):
        return False
    return not blocks or _links_inside(np.concatenate(blocks).reshape(-1, block), max_m, count)


def _stamps(chroma_dir: Path) -> dict[str, list[list[int]]]:
    """Per graph (its segment folder's name), the size and modification time of each of its files."""
    return {header.parent.name: _stamp(header.parent) for header in chroma_dir.glob("*/header.bin")}


def _stamp(segment: Path) -> list[list[int]]:
    stamps = []
    for name in GRAPH_FILES:
        try:
            stat = (segment / name).stat()
            stamps.append([stat.st_size, stat.st_mtime_ns])
        except OSError:
            stamps.append([-1, -1])
    return stamps


def _checked_path(chroma_dir: Path) -> Path:
    return chroma_dir.with_name(chroma_dir.name + ".checked.json")


def _read_checked(chroma_dir: Path) -> dict[str, list[list[int]]]:
    try:
        checked = json.loads(_checked_path(chroma_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return checked if isinstance(checked, dict) else {}


def _write_checked(chroma_dir: Path, stamps: dict[str, list[list[int]]]) -> None:
    # Best effort: on a read-only store the graphs are simply checked again at the next start.
    target = _checked_path(chroma_dir)
    temporary = target.with_suffix(".tmp")
    try:
        temporary.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
