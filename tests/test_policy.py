"""The policy file: the bundled default, custom files, and errors that name their line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from coach.errors import ConfigError
from coach.guard import check
from coach.policy import DEFAULT_POLICY_PATH, Grant, load_policy, validate_policy_file
from coach.script import to_simplified_aligned as to_simplified

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _default_with(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_default_policy_loads_with_roles_and_window() -> None:
    policy = load_policy()
    assert set(policy.roles) == {"frontline", "supervisor", "complaint_officer"}
    assert policy.default_role == "frontline"
    assert policy.callback_window == "三个工作日内"
    assert policy.role("supervisor").grant("compensation").max_amount == 200  # type: ignore[union-attr]
    assert "$callback_window" not in policy.model_dump_json()


def test_a_role_is_resolved_once_and_knows_its_id() -> None:
    policy = load_policy()
    assert [role.id for role in policy.roles.values()] == list(policy.roles)
    assert policy.role(None) is policy.roles[policy.default_role]
    assert policy.model_copy(deep=True).role("supervisor").id == "supervisor"
    with pytest.raises(ConfigError) as caught:
        policy.role("boss")
    assert "frontline" in caught.value.message and "--role" in caught.value.fix


def test_the_guard_judges_the_role_it_is_handed() -> None:
    # The report names the role it judged, and a grant added to the role object counts: nothing looks the
    # role up again by name on the way down.
    policy = load_policy().model_copy(deep=True)
    frontline = policy.role("frontline")
    text = "给您一张50元的代金券作为补偿。"
    assert not check(text, role=frontline, policy=policy).ok
    frontline.grants.append(Grant(category="compensation", max_amount=100))
    report = check(text, role=frontline, policy=policy)
    assert report.ok and report.role == "frontline"


def test_every_citation_quotes_its_corpus_document() -> None:
    def squeeze(text: str) -> str:
        text = re.sub(r"\([a-zA-Z\u00c0-\u024f]+\)", "", text)  # inline pinyin in seed 002
        return re.sub(r"[\W_]+", "", to_simplified(text))

    documents = {p.name[:3]: squeeze(p.read_text(encoding="utf-8")) for p in CORPUS.glob("*.txt")}
    policy = load_policy()
    citations = [a.source for a in policy.allowed_commitments] + [f.source for f in policy.forbidden_phrases]
    citations += [c for item in policy.forbidden_commitments for c in item.sources]
    for citation in citations:
        assert squeeze(citation.quote) in documents[citation.doc], citation


def test_default_file_validates_clean() -> None:
    assert validate_policy_file(DEFAULT_POLICY_PATH) == []


def test_custom_callback_window_flows_into_suggestions(tmp_path: Path) -> None:
    path = _default_with(tmp_path, "callback_window: 三个工作日内", "callback_window: 两个工作日内")
    policy = load_policy(path)
    violation = check("一定给您全额退款。", policy=policy).violations[0]
    assert "两个工作日内" in violation.suggestion


def test_custom_grant_and_script_and_pattern(tmp_path: Path) -> None:
    grant = "    grants:\n      - {category: compensation, max_amount: 20}\n"
    path = _default_with(tmp_path, "    grants: []\n", grant)
    text = path.read_text(encoding="utf-8").replace(
        "      - 这件事情由我来负责跟进。", "      - 这件事情由我来负责跟进。\n      - 我们保证您满意。")
    text = text.replace("    safe_alternative: 感谢您的关注",
                        "    patterns: ['发朋友圈']\n    safe_alternative: 感谢您的关注")
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    assert check("给您一张10元的优惠券。", policy=policy).ok
    assert not check("给您一张50元的优惠券。", policy=policy).ok
    assert check("我们保证您满意。", policy=policy).ok
    assert not check("我们保证您满意。").ok
    report = check("这事我替公司发朋友圈说明。", policy=policy)
    assert "media_statement" in {v.category for v in report.violations}


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "version: 1\ndefault_role: frontline\nroles:\n  frontline: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert re.search(r":[45]:", caught.value.message), caught.value.message
    assert caught.value.fix


def test_schema_errors_are_all_reported_with_lines(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace("        max_amount: 200\n", "        max_amount: lots\n", 1)
    text = text.replace("    name: 投诉专员\n", "    name: 投诉专员\n    colour: blue\n", 1)
    path = _write(tmp_path, text)
    lines = path.read_text(encoding="utf-8").splitlines()
    problems = validate_policy_file(path)
    assert len(problems) == 2
    by_location = {p.location: p for p in problems}
    amount = by_location["roles.supervisor.grants.0.max_amount"]
    assert "max_amount: lots" in lines[amount.line - 1]  # type: ignore[operator]
    extra = by_location["roles.complaint_officer.colour"]
    assert "colour: blue" in lines[extra.line - 1]  # type: ignore[operator]
    assert "remove" in extra.fix


def test_cross_references_and_duplicates(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace("      - category: compensation\n        max_amount: 200",
                        "      - category: bonus\n        max_amount: 200")
    text = text.replace("default_role: frontline", "default_role: intern")
    text += "version: 1\n"
    path = _write(tmp_path, text)
    messages = " | ".join(p.message for p in validate_policy_file(path))
    assert "bonus" in messages and "intern" in messages and "duplicate key" in messages


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_policy(tmp_path / "nope.yaml")
    problems = validate_policy_file(_write(tmp_path, "- just\n- a list\n"))
    assert problems and problems[0].line == 1


def test_policy_yaml_round_trips_through_yaml() -> None:
    data = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    assert {c["id"] for c in data["forbidden_commitments"]} >= {"compensation", "media_statement"}
