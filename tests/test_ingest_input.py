"""Input that used to lose data or index garbage without a word: colliding ids, UTF-16 without a BOM, a
manifest entry whose file is missing, symlink loops. Each exits 0 only when nothing stored is lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach.cli import app
from coach.config import Settings
from coach.corpus.read import read_document
from coach.embeddings import HashEmbedder
from coach.ingest import ingest
from coach.store import ChunkStore

runner = CliRunner()
TEXT = "一、道歉\n道歉不是认错，代表公司向客户致歉。\n二、核实\n坐席记录诉求并转交后台核实，三日内回电。\n"


def _cli(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def _stored(home: Path) -> dict[str, set[str]]:
    store = ChunkStore(Settings(home=home, embeddings="hash"), HashEmbedder()).open()
    by_doc: dict[str, set[str]] = {}
    for chunk in store.iter_all():
        by_doc.setdefault(str(chunk.metadata["doc_id"]), set()).add(chunk.chunk_id)
    return by_doc


def _folder(path: Path, **files: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ ids that collide across runs


def test_a_users_000_txt_does_not_replace_the_bundled_document_000(
    hash_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    subprocess.run(["cp", "-a", str(hash_home), str(home)], check=True)
    before = _stored(home)
    users = _folder(tmp_path / "mine", **{"000.txt": TEXT})
    code, output = _cli(home, monkeypatch, "ingest", str(users))
    assert code == 2, output
    assert "000" in output and "already stored" in output and "manifest.yaml" in output, output
    assert _stored(home) == before  # refused before anything was written


def test_notes_txt_from_a_second_folder_does_not_replace_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    first = _folder(tmp_path / "a", **{"notes.txt": TEXT})
    second = _folder(tmp_path / "b", **{"notes.txt": TEXT.replace("三日", "五日")})
    assert _cli(home, monkeypatch, "ingest", str(first))[0] == 0
    before = _stored(home)
    code, output = _cli(home, monkeypatch, "ingest", str(second))
    squashed = "".join(output.split())  # Rich may wrap inside the long temporary path
    assert code == 2 and str(first / "notes.txt") in squashed and "--replace" in output, output
    assert _stored(home) == before
    assert _cli(home, monkeypatch, "ingest", str(first))[0] == 0  # the same file again is no collision
    code, output = _cli(home, monkeypatch, "ingest", str(second), "--replace")  # on purpose
    assert code == 0, output
    assert _stored(home)["notes"] != before["notes"]
    assert _cli(home, monkeypatch, "doctor")[0] == 0


# ------------------------------------------------------------------ encodings and the manifest


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
@pytest.mark.parametrize("text", [TEXT, TEXT.replace("\n", "")], ids=["lines", "one-line-no-ascii"])
def test_utf16_with_or_without_bom_reads_as_the_text_it_is(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    assert read_document(path) == text


def test_gb18030_is_not_mistaken_for_utf16(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(TEXT.replace("\n", "").encode("gb18030"))
    assert read_document(path) == TEXT.replace("\n", "")


def test_a_manifest_entry_whose_file_is_missing_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path / "docs", **{"a.txt": TEXT})
    (folder / "manifest.yaml").write_text(
        "documents:\n  - {id: a, file: a.txt, title: 甲}\n  - {id: gone, file: gone.txt, title: 乙}\n",
        encoding="utf-8",
    )
    code, output = _cli(tmp_path / "home", monkeypatch, "ingest", str(folder))
    assert code == 2 and "gone" in output and "gone.txt" in output and "remove the entry" in output, output


def test_a_symlink_loop_is_skipped_with_a_warning_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path / "docs", **{"a.txt": TEXT})
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)  # a folder that contains itself
    (folder / "b.txt").symlink_to(folder / "c.txt")
    (folder / "c.txt").symlink_to(folder / "b.txt")  # two files that point at each other
    summary = ingest(Settings(home=tmp_path / "home", embeddings="hash"), [folder])
    assert [d.doc_id for d in summary.documents] == ["a"]
    assert any("b.txt" in s for s in summary.skipped) and any("c.txt" in s for s in summary.skipped)
    code, output = _cli(tmp_path / "home2", monkeypatch, "ingest", str(folder))
    assert code == 0 and "skipped" in output and "Traceback" not in output, output
