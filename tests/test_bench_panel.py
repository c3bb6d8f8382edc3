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
