"""`coach doctor`: is the data dir, the store and the lexical index in a state that can serve?"""

from __future__ import annotations

import os

from coach.config import Settings
from coach.embeddings import make_embedder
from coach.errors import CoachError
from coach.ingest import lexical_path, rebuild_lexical
from coach.lexical import LexicalIndex
from coach.store import ChunkStore, quiet_chroma_logs
from coach.types import DoctorCheck, DoctorReport


def _data_dir_check(settings: Settings) -> DoctorCheck:
    home = settings.home
    if settings.chroma_url:
        return DoctorCheck(name="data dir", ok=True, detail=f"shared store at {settings.chroma_url}")
    if not home.exists():
        return DoctorCheck(name="data dir", ok=False, detail=f"{home} does not exist", fix="run `coach ingest`")
    if not os.access(home, os.W_OK):
        return DoctorCheck(name="data dir", ok=False, detail=f"{home} is not writable", fix=f"chmod u+w {home}")
    return DoctorCheck(name="data dir", ok=True, detail=str(home))


def diagnose(settings: Settings, *, repair: bool = False) -> DoctorReport:
    quiet_chroma_logs()
    checks = [_data_dir_check(settings)]
    repaired: list[str] = []
    try:
        store = ChunkStore(settings, make_embedder(settings)).open()
    except CoachError as exc:
        checks.append(DoctorCheck(name="store", ok=False, detail=exc.message, fix=exc.fix))
        return DoctorReport(ok=False, checks=checks)
    metadata = store.metadata()
    chroma_ids = {c.chunk_id for c in store.iter_all()}
    checks.append(DoctorCheck(name="store", ok=True, detail=f"{len(chroma_ids)} chunks at {store.location}"))
    checks.append(DoctorCheck(name="embedding model", ok=True, detail=str(metadata.get("embedder"))))
    interrupted = metadata.get("state") != "clean"
    checks.append(
        DoctorCheck(
            name="last ingest",
            ok=not interrupted,
            detail="an ingest did not finish" if interrupted else "finished",
            fix="run `coach ingest` again: it completes the interrupted one" if interrupted else "",
        )
    )
    index = LexicalIndex(lexical_path(settings))
    try:
        lexical_ids = index.chunk_ids()
        consistent = lexical_ids == chroma_ids and index.generation == metadata.get("generation")
        if not consistent and repair:
            rebuild_lexical(store, index, str(metadata.get("generation", "")))
            repaired.append(f"lexical index rebuilt from the store ({len(chroma_ids)} chunks)")
            lexical_ids, consistent = index.chunk_ids(), True
    finally:
        index.close()
    only_chroma, only_lexical = len(chroma_ids - lexical_ids), len(lexical_ids - chroma_ids)
    checks.append(
        DoctorCheck(
            name="lexical index",
            ok=consistent,
            detail=f"{len(lexical_ids)} chunks; {only_chroma} missing, {only_lexical} extra, vs the store",
            fix="" if consistent else "run `coach doctor --repair`",
        )
    )
    return DoctorReport(ok=all(c.ok for c in checks), checks=checks, repaired=repaired)
