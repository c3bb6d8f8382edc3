"""Callback (回访) scripts from a case record: only facts on record, only commitments the policy allows.

The parts follow the documents: introduce yourself and say why you call ("首先介绍我是谁,我要来干什么",
corpus 002), recap the complaint, tell what was done and the result, apologise and thank (the 回访话术 of
corpus 002), the next step, a closing. Every part is guard-checked with the complaint as context; a
sentence of the case record that the guard refuses (say an agreed next step "保证下周全额退款") is
replaced by the policy's safe alternative for that category and listed in ``adjustments``, so staff see
what was changed and why. A script that still fails the guard is never returned.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from pydantic import ValidationError

from coach.analyze import detect_language
from coach.errors import BackendError, InputError
from coach.guard import check
from coach.policy import Policy, load_policy, policy_hash
from coach.script import find_placeholders, to_traditional
from coach.types import CallbackCase, CallbackScript, GuardReport, ScriptPart
from coach.yaml_input import load_yaml

TEMPLATE_VERSION = "callback-template-v1"
TITLES = {"greeting": "问候与自我介绍", "recap": "回顾问题", "actions": "我们做了什么及结果", "apology": "道歉及感谢",
          "next_steps": "下一步", "closing": "结束语"}
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


def load_case(path: Path) -> CallbackCase:
    data = load_yaml(path, "case file", "pass a YAML or JSON case file: coach callback case.yaml", error=InputError)
    try:
        return CallbackCase.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "case"
        raise InputError(f"{path}: {field}: {first['msg']}",
                         f"the case needs: {', '.join(n for n, f in CallbackCase.model_fields.items() if f.is_required())}"  # noqa: E501
                         ) from exc


def _parts(case: CallbackCase, policy: Policy) -> dict[str, str]:
    name = f"{case.customer_name}{case.customer_title}"
    who = f"{case.company}{case.department}" if case.company else case.department
    when = f"在{case.complaint_date}" if case.complaint_date else "之前"
    actions = "；".join(f"{i}. {a.strip().rstrip('。；;')}" for i, a in enumerate(case.actions, start=1))
    return {
        "greeting": f"{name}您好，我是{who}的{case.staff_name}。今天给您打电话，是想跟您回访一下您{when}反映的问题的处理情况，"  # noqa: E501
                    "耽误您几分钟时间可以吗？",
        "recap": f"您当时反映的是：{case.summary.strip().rstrip('。')}。",
        "actions": f"收到您的反馈后，我们做了这些工作：{actions}。目前的结果是：{case.result.strip().rstrip('。')}。",
        "apology": "我们对没能给您较好的服务体验深表歉意，同时感谢您给我们提出的宝贵意见以及对我们的信任和支持。",
        "next_steps": f"接下来，{case.next_step.strip().rstrip('。')}。这件事情由我来负责跟进，有进展我会第一时间告诉您；"  # noqa: E501
                      "您如果还有其他问题，也可以随时联系我。",
        "closing": f"再次感谢您的理解和支持，祝您生活愉快，{name}再见！",
    }


def _repair(text: str, report: GuardReport, policy: Policy, adjustments: list[str]) -> str:
    """Replace each refused sentence with the policy's safe alternative for its category."""
    sentences = _SENTENCE_END.split(text)
    for violation in report.violations:
        commitment = policy.commitment(violation.category)
        family = policy.family(violation.category)
        safe = commitment.safe_alternative if commitment else family.better if family else ""
        for i, sentence in enumerate(sentences):
            if violation.span and violation.span in sentence:
                adjustments.append(f"「{sentence.strip()}」→「{safe}」（{violation.explanation}）")
                sentences[i] = safe
                break
    return "".join(sentences)


def render_script(parts: list[ScriptPart], case: CallbackCase, fmt: str) -> str:
    if fmt == "markdown":
        body = "\n\n".join(f"### {i}. {p.title}\n\n{p.text}" for i, p in enumerate(parts, start=1))
        date = f"（{case.callback_date}）" if case.callback_date else ""
        return f"## 回访话术 — {case.customer_name}{case.customer_title}{date}\n\n{body}\n"
    return "\n\n".join(f"【{p.title}】\n{p.text}" for p in parts) + "\n"


def callback_script(case: CallbackCase, *, fmt: str = "markdown", policy: Policy | None = None) -> CallbackScript:
    if fmt not in ("markdown", "text"):
        raise InputError(f"unknown format {fmt!r}; valid formats: markdown, text", "use --format markdown or --format text")  # noqa: E501
    policy = policy or load_policy()
    role = policy.role(case.role)
    traditional = detect_language(case.summary + case.result) == "zh-Hant"
    adjustments: list[str] = []
    parts: list[ScriptPart] = []
    for part, text in _parts(case, policy).items():
        text = to_traditional(text) if traditional else text
        report = check(text, role=role, context=case.summary, policy=policy)
        if not report.ok:
            text = _repair(text, report, policy, adjustments)
        parts.append(ScriptPart(part=part, title=TITLES[part], text=text))  # type: ignore[arg-type]
    whole = "".join(p.text for p in parts)
    final = check(whole, role=role, context=case.summary, policy=policy)
    if not final.ok or find_placeholders(whole):
        raise BackendError("the callback script still fails the guard after replacing the refused sentences",
                           "rewrite the case's next_step/result without promises and run coach callback again")
    return CallbackScript(id=uuid.uuid4().hex, parts=parts, text=render_script(parts, case, fmt), format=fmt,  # type: ignore[arg-type]
                          backend="offline", model=TEMPLATE_VERSION, prompt_version=TEMPLATE_VERSION,
                          policy_hash=policy_hash(policy), guard=final, adjustments=adjustments)
