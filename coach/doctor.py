"""`coach doctor`: is the data dir, the store and the lexical index in a state that can serve?

Chroma is the source of truth. ``--repair`` fixes what can be derived from it: windows whose chunk is
gone are deleted, and the keyword index is rebuilt (a damaged index file is first set aside, never
deleted). What only an ingest can restore (an interrupted ingest, chunks without windows) is reported
with the command that restores it. See docs/operations.md.
"""

from __future__ import annotations

import os
import time

from coach.config import Settings
from coach.embeddings import make_embedder
from coach.errors import CoachError
from coach.ingest import lexical_path, rebuild_lexical
from coach.lexical import LexicalIndex
from coach.store import ChunkStore, quiet_chroma_logs
from coach.types import DoctorCheck, DoctorReport

REINGEST_FIX = "run `coach ingest` again (same paths): it completes the interrupted one"


def _data_dir_check(settings: Settings) -> DoctorCheck:
    home = settings.home
    if settings.chroma_url:
        return DoctorCheck(name="data dir", ok=True, detail=f"shared store at {settings.chroma_url}")
    if not home.exists():
        return DoctorCheck(name="data dir", ok=False, detail=f"{home} does not exist", fix="run `coach ingest`")
    if not home.is_dir():
        return DoctorCheck(name="data dir", ok=False, detail=f"{home} is not a folder",
                           fix=f"move {home} aside, or set COACH_HOME to a folder")
    if not os.access(home, os.W_OK):
        return DoctorCheck(name="data dir", ok=False, detail=f"{home} is not writable", fix=f"chmod u+w {home}")
    return DoctorCheck(name="data dir", ok=True, detail=str(home))


def diagnose(settings: Settings, *, repair: bool = False) -> DoctorReport:
    quiet_chroma_logs()
    checks = [_data_dir_check(settings)]
    repaired: list[str] = []
    try:
        store = ChunkStore(settings, make_embedder(settings)).open()
        metadata = store.metadata()
        chroma_ids = {c.chunk_id for c in store.iter_all()}
        checks.append(DoctorCheck(name="store", ok=True, detail=f"{len(chroma_ids)} chunks at {store.location}"))
        checks.append(DoctorCheck(name="embedding model", ok=True, detail=str(metadata.get("embedder"))))
        interrupted = metadata.get("state") != "clean"
        checks.append(DoctorCheck(
            name="last ingest", ok=not interrupted,
            detail="an ingest did not finish" if interrupted else "finished",
            fix=REINGEST_FIX if interrupted else "",
        ))
        checks.append(_windows_check(store, chroma_ids, repair, repaired))
        generation = str(metadata.get("generation", ""))
        checks.append(_lexical_check(settings, store, chroma_ids, generation, repair, repaired))
    except CoachError as exc:
        checks.append(DoctorCheck(name="store", ok=False, detail=exc.message, fix=exc.fix))
    return DoctorReport(ok=all(c.ok for c in checks), checks=checks, repaired=repaired)


def _windows_check(store: ChunkStore, chroma_ids: set[str], repair: bool, repaired: list[str]) -> DoctorCheck:
    """Every chunk has windows (else dense search cannot find it); every window has its chunk."""
    parents: dict[str, str] = dict(store.iter_window_parents())
    orphans = [wid for wid, parent in parents.items() if parent not in chroma_ids]
    bare = chroma_ids - set(parents.values())
    if orphans and repair:
        store.delete_windows(orphans)
        repaired.append(f"{len(orphans)} windows without their chunk deleted")
        orphans = []
    detail = f"{len(parents)} windows; {len(orphans)} without their chunk, {len(bare)} chunks without windows"
    if bare:
        return DoctorCheck(name="windows", ok=False, detail=detail, fix=REINGEST_FIX)
    return DoctorCheck(name="windows", ok=not orphans, detail=detail,
                       fix="run `coach doctor --repair`" if orphans else "")


def _lexical_check(
    settings: Settings, store: ChunkStore, chroma_ids: set[str], generation: str, repair: bool, repaired: list[str]
) -> DoctorCheck:
    path = lexical_path(settings)
    try:
        index = LexicalIndex(path)
    except CoachError as exc:
        if not repair:
            return DoctorCheck(name="lexical index", ok=False, detail=exc.message, fix=exc.fix)
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        path.rename(aside)
        repaired.append(f"damaged keyword index moved to {aside}")
        index = LexicalIndex(path)
    try:
        lexical_ids = index.chunk_ids()
        consistent = lexical_ids == chroma_ids and index.generation == generation
        if not consistent and repair:
            rebuild_lexical(store, index, generation)
            repaired.append(f"lexical index rebuilt from the store ({len(chroma_ids)} chunks)")
            lexical_ids, consistent = index.chunk_ids(), True
    finally:
        index.close()
    only_chroma, only_lexical = len(chroma_ids - lexical_ids), len(lexical_ids - chroma_ids)
    return DoctorCheck(
        name="lexical index",
        ok=consistent,
        detail=f"{len(lexical_ids)} chunks; {only_chroma} missing, {only_lexical} extra, vs the store",
        fix="" if consistent else "run `coach doctor --repair`",
    )
