"""The blind panel: reviewers never see which system wrote a reply, and scoring un-blinds it correctly."""

import json
from pathlib import Path

from bench import panel


def test_panel_files_are_blind_and_scores_unblind_to_the_right_system(tmp_path: Path) -> None:
    ids = list(panel.scenarios(panel.HELD_OUT))
    for name, reply in (("system_p", "您好，我来帮您查一下。"), ("system_c", "您先别着急，我马上帮您核实。")):
        (tmp_path / f"{name}.jsonl").write_text("".join(
            json.dumps({"id": cid, "reply": f"{reply}{cid}", "advice": []}, ensure_ascii=False) + "\n"
            for cid in ids), encoding="utf-8")
    folder = tmp_path / "panel"
    panel.build({"system_p": tmp_path / "system_p.jsonl", "system_c": tmp_path / "system_c.jsonl"}, folder)
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    text = (folder / "panel_r1.md").read_text(encoding="utf-8")
    assert "system_p" not in text and "system_c" not in text
    assert {letters["A"] for letters in key["1"].values()} == {"system_p", "system_c"}  # letters shuffled per case
    for reviewer, cases in key.items():  # every reviewer gives "system_c" 4 and "system_p" 2
        (folder / f"scores_r{reviewer}.jsonl").write_text("".join(
            json.dumps({"case": cid, "reply": letter, "score": 4 if name == "system_c" else 2}) + "\n"
            for cid, letters in cases.items() for letter, name in letters.items()), encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in panel.score(folder).splitlines() if line.startswith("| ")}
    assert "| 4.00 |" in rows["system_c"] and "| 2.00 |" in rows["system_p"]
    assert f"system_c scored higher than system_p on {len(ids)} cases" in panel.score(folder)


def test_a_panel_of_three_systems_on_chosen_case_files_compares_each_with_the_baseline(tmp_path: Path) -> None:
    cases = panel.SCENARIOS / "heldout_s2.jsonl"
    ids = list(panel.scenarios([cases]))
    score_of = {"base": 2, "better": 4, "worse": 1}
    for name in score_of:
        (tmp_path / f"{name}.jsonl").write_text("".join(
            json.dumps({"id": cid, "reply": f"{name}{cid}", "advice": []}) + "\n" for cid in ids), encoding="utf-8")
    folder = tmp_path / "panel"
    panel.build({name: tmp_path / f"{name}.jsonl" for name in score_of}, folder, [cases])
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    assert set(key["1"]) == set(ids)  # only the chosen file's cases
    assert {frozenset(letters) for letters in key["2"].values()} == {frozenset("ABC")}
    for reviewer, verdicts in key.items():
        (folder / f"scores_r{reviewer}.jsonl").write_text("".join(
            json.dumps({"case": cid, "reply": letter, "score": score_of[name]}) + "\n"
            for cid, letters in verdicts.items() for letter, name in letters.items()), encoding="utf-8")
    report = panel.score(folder)
    assert f"better scored higher than base on {len(ids)} cases, lower on 0." in report
    assert f"worse scored higher than base on 0 cases, lower on {len(ids)}." in report
