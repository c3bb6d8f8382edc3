"""A model's answer read as a draft: reasoning removed, then JSON if it is JSON, else the text itself.

Reasoning models (DeepSeek-R1, Qwen3, QwQ) put their thinking in ``<think>…</think>`` before the answer,
and some servers drop the opening tag. None of it may reach the guard as if it were the reply, nor staff.
The draft prompt asks for ``{"reply": "…", "steps": [...], "passages": ["P1", …]}``; a model that
answers in plain text anyway is read as before (the tolerant path).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_BLOCK = re.compile(r"<(think|thinking|reasoning|reflection)>.*?</\1>", re.S | re.I)
_CLOSE_ONLY = re.compile(r"^.*?</(?:think|thinking|reasoning|reflection)>", re.S | re.I)
_OPEN_ONLY = re.compile(r"<(?:think|thinking|reasoning|reflection)>", re.I)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
_PASSAGE_ID = re.compile(r"P(\d+)", re.I)


@dataclass(frozen=True)
class ModelAnswer:
    reply: str
    steps: list[str] = field(default_factory=list)
    passages: list[int] = field(default_factory=list)  # 0-based indices into the passages the prompt listed
    structured: bool = False  # the answer was the JSON object asked for
    unfinished_reasoning: bool = False  # a <think> that never closed: no answer came


def strip_reasoning(text: str) -> tuple[str, bool]:
    """(the text without reasoning blocks, whether a reasoning block was left open)."""
    text = _BLOCK.sub("", text)
    text = _CLOSE_ONLY.sub("", text)  # a server that strips the opening <think> leaves only the close
    opened = _OPEN_ONLY.search(text)
    if opened:
        return text[: opened.start()].strip(), True
    return text.strip(), False


def read_answer(raw: str) -> ModelAnswer:
    text, unfinished = strip_reasoning(raw)
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    if body.startswith("{"):
        try:
            data = json.loads(body)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("reply"), str):
            return ModelAnswer(
                reply=data["reply"].strip(),
                steps=[str(s) for s in data.get("steps") or [] if isinstance(s, str)],
                passages=[int(m.group(1)) - 1 for p in data.get("passages") or []
                          for m in [_PASSAGE_ID.search(str(p))] if m and int(m.group(1)) > 0],
                structured=True, unfinished_reasoning=unfinished)
    return ModelAnswer(reply=text, unfinished_reasoning=unfinished)
