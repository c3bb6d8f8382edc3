"""A cold ``coach draft`` (bench/draft.py, target p50 ≤ 2 s): what it must not load, and the composer's jieba
dictionary file (coach/compose/dictionary.py) cutting exactly as jieba's own tables do."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.compose import dictionary
from coach.compose.facts import key_facts

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [
    "你们业务员骗我买了这个保险，我要全额退保，还要赔我利息！",
    "我在你们店买的扫地机器人用了三天就坏了，客服一直推脱。",
    "叠加包根本没开通，话费却扣了58元，营业厅的小王说不归他管。",
    "发动机舱盖有异响，4S店修了两次还是不行",
]
# Draft path: neither the eval, web, model-client nor LangChain stacks (coach.chain imports them lazily).
HEAVY = ("deepeval", "fastapi", "uvicorn", "openai", "langchain", "langchain_core", "langchain_openai")


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """The dictionary file in this test's own data dir; the process-wide tagger forgotten before and after."""
    before = dictionary._home["dir"]
    dictionary.use_data_dir(tmp_path)
    dictionary.pos_tokenizer.cache_clear()
    yield tmp_path
    dictionary.use_data_dir(before)
    dictionary.pos_tokenizer.cache_clear()


def test_dictionary_file_cuts_and_counts_as_jiebas_own_tables(data_dir: Path) -> None:
    import jieba
    import jieba.posseg

    ours = dictionary.pos_tokenizer()
    stock_words = jieba.Tokenizer()
    stock_words.tmp_dir = str(data_dir)
    stock = jieba.posseg.POSTokenizer(stock_words)  # reads dict.txt itself, as jieba.posseg does
    for sentence in SENTENCES:
        assert [tuple(p) for p in ours.cut(sentence)] == [tuple(p) for p in stock.cut(sentence)]
    assert ours.tokenizer.total == stock_words.total
    for word in ("保险", "叠加包", "退", "不存在的词语"):
        assert ours.tokenizer.FREQ.get(word) == stock_words.FREQ.get(word)
    assert list(data_dir.glob("jieba-*-dict.sqlite3"))  # kept in the data dir, not in /tmp


def test_damaged_dictionary_file_is_rewritten(data_dir: Path) -> None:
    message = "叠加包根本没开通，话费却扣了58元。"
    facts = key_facts(message, "zh-Hans")
    dictionary._path().write_bytes(b"not a database")
    dictionary.pos_tokenizer.cache_clear()
    assert key_facts(message, "zh-Hans") == facts
    with sqlite3.connect(dictionary._path()) as db:
        assert db.execute("SELECT tag FROM words WHERE word = '保险'").fetchone() == ("n",)


def test_composer_terms_leave_jiebas_whole_dictionary_unloaded(tmp_path: Path) -> None:
    # The 0.6 s marshal load (jieba.dt.initialize) and posseg's read of all of dict.txt are what the file avoids.
    code = ("import sys\nfrom pathlib import Path\nfrom coach.compose import dictionary\n"
            f"dictionary.use_data_dir(Path({str(tmp_path)!r}))\n"
            "from coach.compose.facts import key_facts\nkey_facts('你们业务员骗我买了这个保险', 'zh-Hans')\n"
            "import jieba, jieba.posseg\n"
            "print(jieba.dt.initialized, len(jieba.dt.FREQ), type(jieba.posseg.dt.word_tag_tab).__name__)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "0", "_Column"]


def test_draft_command_imports_no_eval_web_or_model_client_stack() -> None:
    code = ("import sys\nfrom coach.cli import build_app\nbuild_app('draft')\nimport coach.chain, coach.retrieval\n"
            f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY=", result.stdout


@pytest.mark.slow
def test_cold_offline_draft_process_loads_no_heavy_stack(store: Path) -> None:
    """The command as staff run it, in a fresh process against an ingested store."""
    code = ("import sys\nfrom coach.cli import main\n"
            "sys.argv = ['coach', 'draft', '你们业务员骗我买了这个保险，我要全额退保！', '--backend', 'offline', '--json']\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
            "import jieba\n"
            f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules), jieba.dt.initialized)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env=os.environ)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY= False", result.stdout
