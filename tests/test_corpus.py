"""Each cleaning rule on real excerpts of the seed documents, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.corpus.chunk import attach_questions, chunk_document
from coach.corpus.clean import (
    clean_text,
    collapse_tandem_repeats,
    remove_pinyin,
    repair_mojibake,
    split_slide_numbers,
    strip_boilerplate,
)
from coach.corpus.manifest import AnchoredQuestions, DocumentMeta, load_manifest, load_questions
from coach.corpus.read import read_document
from coach.errors import ConfigError, InputError
from coach.paths import bundled

CORPUS = bundled("corpus")


def cleaned(doc_id: str) -> str:
    meta = next(d for d in load_manifest(CORPUS / "manifest.yaml").documents if d.id == doc_id)
    return clean_text(read_document(CORPUS / meta.file), meta.layout)


def test_boilerplate_lines_are_dropped() -> None:
    lines = [
        "上传人:b****2 文档编号:15498380 上传时间:2022-11-02 格式:PPT 页数:30 大小:1.82MB",
        "第1页 / 共30页",
        "柜面投诉应对培训PPT文档格式.ppt_第2页",
        "展开阅读全文",
        "copyright@ 2008-2022 冰豆网网站版权所有",
        "熱門標簽:山西云電銷機器人公司 百度地圖標注位置多久顯示出來",
        "漳浦县| 浪卡子县| 漳平市| 金昌市| 灵山县| SHOW| 石林| 兰西县|",
        "除非发生人员伤害或重大财务损失,否则一般不主张公安机关出面。",
    ]
    assert strip_boilerplate(lines) == ["除非发生人员伤害或重大财务损失,否则一般不主张公安机关出面。"]


def test_a_page_header_above_its_breadcrumb_is_dropped() -> None:
    page = ["濮阳杆衣贸易有限公司", "", "主頁 > 知識庫 > 如何有效處理客戶投訴", "如何有效處理客戶投訴", "導語"]
    assert [ln for ln in strip_boilerplate(page) if ln] == ["如何有效處理客戶投訴", "導語"]
    assert not cleaned("002").startswith("濮阳") and cleaned("002").startswith("如何有效處理客戶投訴")
    # Without a breadcrumb near the top, the first lines are the document's own.
    assert strip_boilerplate(["某某保险有限公司", "柜面服务规范", "一、迎宾"]) == ["某某保险有限公司", "柜面服务规范", "一、迎宾"]
    late = ["标题", "一", "二", "三", "四", "五", "主页 > 某页", "正文"]
    assert strip_boilerplate(late) == ["标题", "一", "二", "三", "四", "五", "正文"]


@pytest.mark.parametrize("doc_id", ["000", "001", "002", "003", "004"])
def test_no_boilerplate_survives_in_any_document(doc_id: str) -> None:
    text = cleaned(doc_id)
    for marker in ["展开阅读全文", "文档编号", "共30页", "熱門標簽", "版權", "冰豆网", "浪卡子县", "本文標題"]:
        assert marker not in text


def test_pinyin_annotations_are_removed() -> None:
    raw = "稱其通過個人網(wǎng)銀使用我行借記卡,后續(xù)分行工作人員"
    assert remove_pinyin(raw) == "稱其通過個人網銀使用我行借記卡,后續分行工作人員"
    assert "(wǎng)" not in cleaned("002") and "(xù)" not in cleaned("002")


def test_mojibake_after_a_lost_byte_is_repaired_from_the_document_itself() -> None:
    text = cleaned("002")
    assert "??" not in text
    assert "故駁回了該匯款申請。\n客戶稱其小孩現在國外急需繳納學費" in text
    assert "客戶意見處理專員在調聽客戶錄音后" in text
    assert "客戶表示自己可以理解外管政策" in text


def test_a_real_question_mark_is_not_taken_for_mojibake() -> None:
    assert repair_mojibake("请问需要喝水吗?33招呼") == "请问需要喝水吗?33招呼"


def test_doubled_slide_lines_collapse_to_one_statement() -> None:
    spliced = (
        "从开始就关注客户的身份,是风险防控的第一步。不同的职从开始就关注客户的身份,是风险防控的第一步。"
        "不同的职业和背景,可能会有不同的表现,那些一个问业和背景,可能会有不同的表现,那些一个问"
        "题,试图将你逼近死胡同的人员,很可能就是法律或媒体人题,试图将你逼近死胡同的人员,很可能就是法律或媒体人士。士。"
    )
    assert collapse_tandem_repeats(spliced) == (
        "从开始就关注客户的身份,是风险防控的第一步。不同的职业和背景,可能会有不同的表现,"
        "那些一个问题,试图将你逼近死胡同的人员,很可能就是法律或媒体人士。"
    )
    assert collapse_tandem_repeats("66、群访客户:33人以上客户群访") == "6、群访客户:3人以上客户群访"


def test_each_statement_of_the_doubled_document_appears_once() -> None:
    text = cleaned("000")
    assert text.count("除非发生人员伤害或重大财务损失,否则一般不主张公安机关出面。") == 1
    assert text.count("不能给客户任何的承诺,注意言行") == 1
    assert "其它人员一概不能够随意接受媒体采访其它人员" not in text


def test_slide_page_numbers_split_without_eating_real_numbers() -> None:
    dump = "处理技巧2客户服务的定义。4客户投保人5客户服务的理念。45群访客户:3人以上客户群访"
    assert split_slide_numbers(dump).split("\n") == [
        "处理技巧", "客户服务的定义。", "客户投保人", "客户服务的理念。45群访客户:3人以上客户群访"
    ]
    assert "3人以上客户群访" in cleaned("001")


def test_original_script_is_kept_and_index_text_is_simplified() -> None:
    meta = DocumentMeta(id="t", file="t.txt", title="測試", script="traditional")
    chunks = chunk_document(meta, "導語\n投訴處理人員切忌不可隨意承諾客戶。\n")
    assert "隨意承諾" in chunks[0].text
    assert "随意承诺" in chunks[0].index_text


def test_chunks_follow_headings_and_carry_the_section_path() -> None:
    meta = next(d for d in load_manifest(CORPUS / "manifest.yaml").documents if d.id == "004")
    chunks = chunk_document(meta, cleaned("004"))
    assert all(len(c.text) <= 480 for c in chunks)
    step = next(c for c in chunks if "第一步、稳定客户的情绪" in c.text)
    assert step.section.startswith("第二章、客户投诉处理步骤")


def test_chunk_ids_are_stable_content_hashes() -> None:
    meta = DocumentMeta(id="x", file="x.txt", title="x")
    first = chunk_document(meta, "一、原则\n先处理感情,后处理事件。\n")
    again = chunk_document(meta, "一、原则\n先处理感情,后处理事件。\n")
    changed = chunk_document(meta, "一、原则\n先处理感情,再处理事件。\n")
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    assert first[0].chunk_id != changed[0].chunk_id


def test_windows_are_three_sentences_every_second_one() -> None:
    meta = DocumentMeta(id="w", file="w.txt", title="w")
    text = "一、原则\n第一句话很长。第二句话很长。第三句话很长。第四句话很长。第五句话很长。\n"
    windows = chunk_document(meta, text)[0].windows
    assert windows == [  # the heading line counts as a sentence; each neighbouring pair shares a window
        "一、原则第一句话很长。第二句话很长。",
        "第二句话很长。第三句话很长。第四句话很长。",
        "第四句话很长。第五句话很长。",
    ]


QUESTION_DOCS = ("一、道歉\n道歉不是認錯,代表公司向客戶致歉,客戶至上。\n", "二、傾聽\n讓客戶把話說完,不要急於辯解,客戶至上。\n")


def test_questions_join_the_one_chunk_holding_their_anchor_in_either_script() -> None:
    meta = DocumentMeta(id="q", file="q.txt", title="q", script="traditional")
    chunks = [chunk for text in QUESTION_DOCS for chunk in chunk_document(meta, text)]
    asked = [
        AnchoredQuestions(anchor="道歉不是认错", questions=["客户说我道歉就是承认错了，怎么办？"]),  # simplified anchor
        AnchoredQuestions(anchor="把話說完", questions=["客户一直说个不停，要打断吗？"]),
        AnchoredQuestions(anchor="这句不在文中", questions=["？"]),
        AnchoredQuestions(anchor="客戶至上", questions=["在两个段落里都有"]),
    ]
    placed, unplaced = attach_questions(chunks, asked)
    assert unplaced == ["这句不在文中", "客戶至上"]
    apology = next(c for c in placed if "道歉不是認錯" in c.text)
    assert apology.questions == ("客户说我道歉就是承认错了，怎么办？",)
    assert apology.windows[-1] == "客户说我道歉就是承认错了，怎么办？"
    assert all(c.chunk_id != old.chunk_id for c, old in zip(placed, chunks, strict=True) if c.questions)
    reworded, _ = attach_questions(chunks, [AnchoredQuestions(anchor="道歉不是认错", questions=["另一个问题？"])])
    assert reworded[0].chunk_id not in {c.chunk_id for c in placed}, "a questions edit must re-index the chunk"


def test_every_shipped_question_anchor_finds_its_passage() -> None:
    for meta in load_manifest(CORPUS / "manifest.yaml").documents:
        assert meta.questions, f"{meta.id} has no questions file"
        chunks, unplaced = attach_questions(
            chunk_document(meta, cleaned(meta.id)), load_questions(CORPUS / meta.questions)
        )
        assert unplaced == [], f"{meta.id}: anchors no longer in exactly one chunk"
        assert sum(len(c.questions) for c in chunks) >= 2 * len(chunks), meta.id


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- anchor: 道歉不是认错\n  questions: [一个问题\n", "line 2"),
        ("- anchor: 道歉不是认错\n", "0.questions"),
        ("- anchor: 道歉不是认错\n  questions: [问题]\n  answer: 多余\n", "0.answer"),
    ],
)
def test_a_bad_questions_file_names_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_questions(path)
    assert message in caught.value.message
    assert "anchor" in caught.value.fix or "YAML" in caught.value.fix


# ------------------------------------------------------------------ bad input


def test_missing_empty_and_binary_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_document(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_document(tmp_path / "empty.txt")
    (tmp_path / "slides.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(InputError, match="binary"):
        read_document(tmp_path / "slides.txt")


def test_gb18030_files_are_decoded(tmp_path: Path) -> None:
    (tmp_path / "gbk.txt").write_bytes("道歉不是认错。".encode("gb18030"))
    assert read_document(tmp_path / "gbk.txt") == "道歉不是认错。"


def test_malformed_manifest_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.yaml"
    bad.write_text("documents:\n  - id: a\n    file: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line"):
        load_manifest(bad)
    bad.write_text("documents:\n  - id: a\n    titel: typo\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"documents\.0"):
        load_manifest(bad)


def test_forbidden_examples_and_good_wording_land_in_separate_chunks() -> None:
    meta = next(d for d in load_manifest(CORPUS / "manifest.yaml").documents if d.id == "001")
    chunks = chunk_document(meta, cleaned("001"))
    taboo = " ".join(c.text for c in chunks if c.kind == "taboo")
    scripts = " ".join(c.text for c in chunks if c.kind == "script")
    for forbidden in ["爱找谁找谁", "下班了,明天再来吧", "有意见找我们经理", "没看到我忙着吗"]:
        assert forbidden in taboo and forbidden not in scripts
    for good in ["请您稍等,我向权威部门请示一下", "我能够理解您的心情"]:
        assert good in scripts and good not in taboo


def test_kinds_of_cases_outlines_and_quoted_scripts() -> None:
    by_text = {}
    for doc_id in ["000", "002", "003"]:
        meta = next(d for d in load_manifest(CORPUS / "manifest.yaml").documents if d.id == doc_id)
        by_text.update({c.text: c.kind for c in chunk_document(meta, cleaned(doc_id))})

    def kind_of(fragment: str) -> str:
        return next(kind for text, kind in by_text.items() if fragment in text)

    assert kind_of("我们会在三个工作日内与您联系") == "script"
    assert kind_of("盡自己最大努力幫您爭取處理進度") == "script"
    assert kind_of("超過5個月的詳單我們無法查詢") == "case"
    assert kind_of("培訓對象") == "outline"
    assert kind_of("除非发生人员伤害或重大财务损失") == "principle"
