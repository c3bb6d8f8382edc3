"""What the metrics read in a reply: the method's steps, escalation moves, corpus wording.

These detectors read any reply — the chain's, a model's raw answer, a trainee's — so they work on
the text, not on ``Draft.steps``. Patterns run on the guard's normalised copy (simplified, half-width,
lower case), so simplified, traditional and English replies go through the same rules. Each rule
names the corpus passage it follows (``SOURCES``), which the report shows next to a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coach.guard import text as gt
from coach.types import RiskFlag

if TYPE_CHECKING:  # the store (and chromadb behind it) is imported only where a store is opened
    from coach.store import ChunkStore

# ----------------------------------------------------------------------------------- the steps

Step = str  # "empathy" | "apology_thanks" | "question" | "next_step"
STEPS: tuple[Step, ...] = ("empathy", "apology_thanks", "question", "next_step")
STEP_LABELS = {
    "empathy": "稳·表达理解",
    "apology_thanks": "道歉及感谢",
    "question": "问·澄清",
    "next_step": "动·下一步",
}

_STEP_PATTERNS: dict[Step, re.Pattern[str]] = {
    "empathy": re.compile(
        r"理解|同情|体谅|不要着急|别着急|不用着急|别急|着急|慢慢说|认真听|在听|心情|感受|如果我是您|换作是我|换位|委屈|难受|不容易"
        r"|尊重您|认同|understand|i hear you|take your time|listening|in your place|upset|frustrat|don't worry"
        r"|matters to us|i can see"
    ),
    "apology_thanks": re.compile(r"抱歉|歉意|对不起|不好意思|道歉|谅解|原谅|感谢|谢谢|多谢|sorry|apologi[sz]e|thank"),
    # a letter asks by inviting corrections and additions ("如您还有任何补充…"), not with "是吗？" after a
    # restatement (blind panels -e, -f)
    "question": re.compile(r"[?？]|还有[^。！]{0,6}补充|anything you would like to add"),
    "next_step": re.compile(
        r"记录下来|详细记录|记下来|已经?受理|登记|转交|转给|转达|反馈给|向上级反映|如实反映|核实|核查|查询|查一下|跟进|与您联系|联系您"
        r"|回复您|答复您|告诉您|回访|加急|审核|帮您(?:办理|处理|查|核|申请|争取|联系)|请.{0,6}(?:主管|经理|负责人)|安排"
        # an action said with its result for the customer (查清楚, 向您说明, 跟您确认): the everyday-request lines
        r"|查清楚|向您说明|给您说明|跟您确认|去申请"
        r"|(?:i|we) (?:will|'ll) (?:write|note|pass|contact|follow|look|check|ask|report|flag|get back|review|handle"
        r"|find out|arrange|update|set out|put them|tell you|confirm|record|get (?:the|out|your))"
        r"|registered|contact you|follow (?:this |it )?up|look into|get back to you"
    ),
}

# --------------------------------------------------------------------------- escalation moves

Move = str  # "manager" | "formal" | "media" | "relocate" | "emergency"
_MOVE_PATTERNS: dict[Move, re.Pattern[str]] = {
    # Staff bring someone in (a restated demand "要求请负责人出面" is not a move).
    "manager": re.compile(
        r"(?:我|我们)[^，,。；;!?]{0,6}?(?:请|叫|找|联系|通知|向)(?:我们的?)?(?:主管|经理|负责人|领导|值班|投诉专员)"
        r"|向(?:主管|经理|领导|负责人)(?:如实)?(?:反映|反馈|汇报|报告)"
        r"|(?:i|we)(?: will|'ll)? (?:go and )?(?:ask|get|call|fetch|bring|report [^.]{0,40} to) (?:my|our|a) "
        r"(?:supervisor|manager|senior)"
    ),
    "security": re.compile(r"信息安全|information security|data protection"),
    "formal": re.compile(
        r"正式(?:的)?(?:渠道|投诉|流程|程序)|投诉(?:处理)?(?:部门|专员|人员|流程)|法务"
        r"|formal (?:channel|complaint|procedure)|complaints? (?:team|department|procedure)|legal team"
    ),
    "media": re.compile(
        r"办公室|统一对外|对外回应|宣传|发言人|office colleague|speak(?:s)? for the company|press office"
        r"|media (?:team|office)"
    ),
    "relocate": re.compile(
        r"接待室|接待处|会议室|安静|单独|换个(?:地方|场所)|坐下来.{0,4}谈|reception room|quiet|on our own"
        r"|private room|somewhere"
    ),
    # A danger's move (coach/safety.yaml): emergency numbers, stop-payment, medical care.
    "emergency": re.compile(
        r"(?<!\d)(?:110|120|12356|96110)(?!\d)|报警|止付|冻结|就医|急救|心理援助|医院"
        r"|call (?:110|120|the police|an ambulance)|stop[- ]payment|freeze|see a doctor|support line|anti-fraud"
    ),
}

# Which move answers which flag (corpus 000/001/004: 传 = bring in authority, 换 = change the place).
FLAG_MOVES: dict[RiskFlag, tuple[Move, ...]] = {
    # a journalist is received by the office; a customer's threat to go public goes into the formal procedure
    # (corpus 000「按照标准流程,引入正式投诉程序」), the office told by staff, not named to the customer
    "media": ("media", "formal"),
    "regulator": ("formal", "manager"),
    "lawyer": ("formal", "manager"),
    "group_visit": ("relocate",),
    "threat": ("relocate", "manager"),
    "former_agent": ("relocate", "formal"),
    "demand_manager": ("manager",),
    "vulnerable": ("manager",),
    # safety flags (coach/safety.yaml): the reply says the emergency step, or brings in a supervisor
    "self_harm": ("emergency", "manager"),
    "violence": ("manager", "emergency"),
    "fraud_in_progress": ("emergency",),
    "injury": ("emergency",),
    "privacy_breach": ("formal", "manager", "security"),
}
ESCALATING: tuple[RiskFlag, ...] = (
    "media",
    "regulator",
    "lawyer",
    "group_visit",
    "threat",
    "former_agent",
    "demand_manager",
    "self_harm",
    "violence",
    "fraud_in_progress",
    "injury",
    "privacy_breach",
)
# Moves that hand a calm customer to a manager or the press office: over-escalation when not needed.
OVER_ESCALATION: tuple[Move, ...] = ("manager", "media")

SOURCES: dict[str, str] = {
    "steps": "语料 004「第二章、客户投诉处理步骤」稳（表达理解）→ 道歉及感谢 → 问 → 动",
    "mentions": "语料 004「记录客户两次提到的问题是否一致」",
    "language": "语料 002「用親切溫和的話術穩定了客戶的情緒」",
    "grounded": "语料 004「只讲事实不讲观点」",
}


@dataclass(frozen=True)
class StepReading:
    positions: dict[Step, int]  # first match offset per step found
    missing: list[Step]
    out_of_order: list[str]  # "empathy>next_step": empathy first found after the first next step

    @property
    def ok(self) -> bool:
        return not self.missing and not self.out_of_order


def read_steps(reply: str) -> StepReading:
    """Which of the four steps the reply takes, and whether 稳 and 道歉 come before the first 动."""
    norm = gt.normalise(reply)
    positions = {step: m.start() for step, pattern in _STEP_PATTERNS.items() if (m := pattern.search(norm))}
    missing = [s for s in STEPS if s not in positions]
    order = []
    action = positions.get("next_step")
    for step in ("empathy", "apology_thanks"):
        if action is not None and step in positions and positions[step] > action:
            order.append(f"{step}>next_step")
    return StepReading(positions, missing, order)


def moves(reply: str) -> set[Move]:
    norm = gt.normalise(reply)
    return {name for name, pattern in _MOVE_PATTERNS.items() if pattern.search(norm)}


def mentions(reply: str, items: list[str]) -> list[str]:
    """The items the reply contains (simplified, case-insensitive, spaces ignored)."""
    squeezed = re.sub(r"\s+", "", gt.normalise(reply))
    return [item for item in items if re.sub(r"\s+", "", gt.normalise(item)) in squeezed]


# -------------------------------------------------------------------------------- corpus text

_PUNCT = re.compile(r"[\s,，。.!！?？:：;；、\"“”「」()（）《》]")
_CLAUSES = re.compile(r"[^。！？!?；;\n“”\"]+")


def bigrams(text: str) -> set[str]:
    compact = _PUNCT.sub("", gt.normalise(text))
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


@dataclass(frozen=True)
class ChunkText:
    chunk_id: str
    source: str
    kind: str
    text: str


@dataclass
class CorpusText:
    """The store's chunks by id, and the staff scripts (``kind == script``) split into sentences."""

    chunks: dict[str, ChunkText]
    scripts: list[tuple[str, set[str]]] = field(default_factory=list)  # (sentence, its bigrams)

    @classmethod
    def of(cls, chunks: list[ChunkText]) -> CorpusText:
        scripts: list[tuple[str, set[str]]] = []
        for chunk in chunks:
            if chunk.kind != "script":
                continue
            for sentence in _CLAUSES.findall(chunk.text):
                grams = bigrams(sentence)
                if len(grams) >= 6:
                    scripts.append((sentence.strip(), grams))
        return cls({c.chunk_id: c for c in chunks}, scripts)

    @classmethod
    def from_store(cls, store: ChunkStore) -> CorpusText:
        items = store.iter_all(include_text=True)
        return cls.of(
            [
                ChunkText(
                    c.chunk_id, str(c.metadata.get("doc_id", "")), str(c.metadata.get("kind", "principle")), c.text
                )
                for c in items
            ]
        )

    def quote_in_chunk(self, chunk_id: str, quote: str) -> bool:
        chunk = self.chunks.get(chunk_id)
        if chunk is None or not quote.strip():
            return False
        return _PUNCT.sub("", gt.normalise(quote)) in _PUNCT.sub("", gt.normalise(chunk.text))

    def scripted_sentences(self, reply: str) -> list[tuple[str, str]]:
        """(reply sentence, corpus script it reproduces): most of a script sentence's wording is in it."""
        found = []
        for sentence in re.findall(r"[^。！？!?；;\n]+[。！？!?；;]?", reply):
            grams = bigrams(sentence)
            best = max(((len(grams & s_grams) / len(s_grams), s) for s, s_grams in self.scripts), default=(0.0, ""))
            if best[0] >= 0.6:
                found.append((sentence.strip(), best[1]))
        return found
