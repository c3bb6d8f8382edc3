"""The customer's own questions, said back in staff's voice so the next step names what they asked.

"首保是免费的吗？要带什么东西？大概要多久？" is answered "您问的首保是不是免费的、要带什么东西、大概要多久，
我现在就帮您一项一项查清楚，逐一给您说明。", not "您问的这些，我现在就帮您查清楚" (the blind panels' first cause of 2s:
"三个问题一个没答"). An offline composer cannot know the answers; it can show it read each question and
commit to answering each.

Say less rather than something wrong: a question is said back only when it is a plain question (a question
word or 吗), not rhetorical or accusing (凭什么, 咋可能, 不是……吗, 为什么), not about money (the review line
answers that), not words to the clerk (你 alone), not already answered by a request line (wording.yaml
``requests``), and short. A 吗 question becomes an indirect one (能…吗 → 能不能…); one with no verb to turn is
left out. The patterns are data: wording.yaml ``questions``.
"""

from __future__ import annotations

import re

from coach import safety
from coach.analyze import DEMAND_PATTERNS, FLAG_PATTERNS, normalise
from coach.compose.dictionary import pos_tokenizer
from coach.compose.wording import QuestionWords, wording
from coach.script import find_placeholders, to_simplified
from coach.types import Language

MAX_QUESTIONS = 3
MAX_CHARS = 22  # one question said back; longer ones are a story, not a question
MIN_CHARS = 5  # shorter ones (核对什么？, 能不能领？) are a retort or need the sentence before them
_SENTENCE = re.compile(r"[^。！？!?\n；;]+[。！？!?\n；;]*")
_MONEY = {"refund", "compensation", "interest"}
_ACCUSING = re.compile(r"是不是|是[^，。？?]*[吗么嘛][？?]?$")
_CAN_DO = re.compile(r"有没有|能不能|可不可以|会不会|需不需要|要不要|能否|可否|是否")
# the verb of a 吗 question, where it is not part of a longer word (但是, 没有, 需要, 会员 …)
_VERB = re.compile(r"可以|需要|(?<![但还就可总倒])是(?!否)|(?<![不没只])能(?![力源])|(?<![机社开约])会(?![员议计])"
                   r"|(?<![没所只])有(?![点些])|(?<![需主重只想])要(?!求)")

# 你/您 alone (words to the clerk) are never restated: only the company and the customer change voice
_ZH_VOICE = {"你们": "我们", "你們": "我們", "您们": "我们", "您們": "我們", "我的": "您的", "我": "您",
             "贵公司": "我们公司", "贵司": "我们", "贵行": "我们", "贵方": "我们", "贵平台": "我们平台",
             "贵店": "我们店"}
_ZH_KIN = {"您妈": "您母亲", "您爸": "您父亲", "您老公": "您先生", "您老婆": "您爱人", "您媳妇": "您爱人"}


def open_questions(words: str, language: Language, covered: tuple[str, ...] = ()) -> list[str]:
    """Up to three of the customer's questions as indirect questions in staff's voice (simplified script),
    in their order; ``covered``: the request keys whose lines already answer a question (left out)."""
    if not words.strip():
        return []
    if language == "en":
        return _english_questions(words, covered)
    table = wording().questions
    found: list[str] = []
    for sentence in _SENTENCE.findall(to_simplified(words)):
        for question in _questions_in(sentence.strip(), table):
            said = _indirect(question, table) if _sayable(question, table, covered) else ""
            if said and said not in found and MIN_CHARS <= _cjk(said) <= MAX_CHARS:
                found.append(said)
            if len(found) == MAX_QUESTIONS:
                return found
    return found


def _questions_in(sentence: str, table: QuestionWords) -> list[str]:
    """The clauses of the sentence that ask, in order: a clause with 能不能/有没有…, and one with a question word
    when the sentence ends in a question mark (its last clause) or asks (告诉我…); a clause too short to stand
    alone takes the topic before it (在香港上网，一天大概多少钱). Chat writers separate clauses with spaces."""
    marked = bool(re.search(r"[？?]", sentence))
    asking = table.asking_sentence(sentence)
    body = re.sub(r"[。！？!?\n；;]+$", "", sentence)
    parts = [p.strip() for p in re.split(r"[，,、:：]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", body) if p.strip()]
    found = []
    for i, part in enumerate(parts):
        worded = table.interrogative_pattern.search(part) and (asking or (marked and i == len(parts) - 1))
        if not (table.asks_without_mark(part) or worded):
            continue
        clause = table.lead_pattern.sub("", part)
        before = table.lead_pattern.sub("", parts[i - 1]) if i else ""
        # the clause before is joined only when it is a short topic (在香港上网), not a statement of theirs
        # (我也不懂是啥意思，还能不能开) nor a question itself
        topic = (2 <= _cjk(before) <= 8 and not table.interrogative_pattern.search(before)
                 and not re.search(r"[我你您他她]", before))
        if _cjk(clause) < 6 and topic and not table.lead_pattern.match(part):
            clause = before + "，" + clause
        found.append(clause)
    return found


def _sayable(question: str, table: QuestionWords, covered: tuple[str, ...]) -> bool:
    norm = normalise(question)
    # 你们这是咋个修的嘛: the particle hides the rhetorical ending
    bare = re.sub(r"[吗么嘛呢啊呀哦]+$", "", norm)
    if (table.left_out_pattern.search(norm) or table.left_out_pattern.search(bare) or find_placeholders(question)
            or safety.detect(norm)):
        return False
    # words to the clerk (当时你是不是说的存款) or the customer's own "we" (给我们做个月结) do not change voice
    if re.search(r"你(?!们)|您(?!们)|我们|咱", question):
        return False
    # "is it that you …?" about the company is an accusation, not a question (你们是看不见字吗, 你们仓库是不是闭着眼睛
    # 打包: panel -i); what the company has or can do is one (你们有没有代步车, 你们能不能先停卡)
    if re.search(r"你们|贵", question) and _ACCUSING.search(question) and not _CAN_DO.search(question):
        return False
    if any(name in _MONEY and p.search(norm) for name, p in DEMAND_PATTERNS):
        return False
    if any(p.search(norm) for name, p in FLAG_PATTERNS if name != "vulnerable"):
        return False
    return not _answered(norm, covered)


def _answered(norm: str, covered: tuple[str, ...]) -> bool:
    """Whether one of the request lines already said (``covered``) answers this question."""
    requests = wording().requests
    return any(key in requests and re.search(requests[key], norm) for key in covered)


def _indirect(question: str, table: QuestionWords) -> str:
    """The question as staff say it back: 我 → 您, 你们 → 我们; 能…吗 → 能不能…, 了吗 → 了没有."""
    text = table.filler_pattern.sub("", question).strip()
    for spoken, written in table.plain.items():
        text = text.replace(spoken, written)
    if re.search(r"(?:[吗嘛]|(?<![什怎这那多])么)$", text):
        text = _yes_no(text[:-1], table)
    text = re.sub(r"[呢的呀啊]+$", "", text) if re.search(r"呢$", text) else text
    return swap_voice(text).strip("，, ") if text else ""


def _yes_no(stem: str, table: QuestionWords) -> str:
    """能追回来 → 能不能追回来; 发货了 → 发货了没有; "" when there is no verb to turn (说不过去)."""
    if stem.endswith("了"):
        return stem + "没有"
    tokens = [w for w, _ in pos_tokenizer().cut(stem)]
    for i, token in enumerate(tokens):
        if token in table.yes_no:
            return "".join(tokens[:i]) + table.yes_no[token] + "".join(tokens[i + 1:])
    verb = _VERB.search(stem)  # jieba may glue the verb to its neighbour (首保是免费的 → 首 / 保是 / 免费)
    return stem[:verb.start()] + table.yes_no[verb.group(0)] + stem[verb.end():] if verb else ""


def _cjk(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)


def swap_voice(text: str) -> str:
    """Chinese words in staff's voice: 我 → 您, 你们 → 我们, 我妈 → 您母亲."""
    swapped = re.sub("|".join(_ZH_VOICE), lambda m: _ZH_VOICE[m.group(0)], text)
    for old, new in _ZH_KIN.items():
        swapped = swapped.replace(old, new)
    return swapped


# English: a question whose subject is a pronoun turns into an indirect one without guessing where a noun
# phrase ends ("Can I swap it?" → "whether you can swap it", "How long will it take?" → "how long it will
# take"); any other shape is left out.
_EN_CLAUSE = re.compile(r"[^.!?;]*\?")
_EN_SPLIT = re.compile(r",\s*(?:and|or|also)\s+|\s+\+\s+|\s*\d\)\s*|;\s*"
                       r"|,\s*(?=(?:can|could|do|is|are|will|what|how|when|where|which)\b)", re.I)
_EN_QUESTION = re.compile(r"^(?:(?:and|also|so|or|but|quick questions?:?|roughly)\s+)*"
                          r"(?P<wh>(?:what|when|where|which|how(?: long| much| many| soon)?)(?: \w+)?\s+)?"
                          r"(?P<aux>can|could|will|would|should|do|is|are|may)\s+"
                          r"(?P<subject>i|we|you|it|they|there)\s+(?P<rest>[^?]+?)\s*\?*$", re.I)
_EN_LEFT_OUT = re.compile(r"\b(?:if|unless|why|refund|money back|compensat|reimburs|pay (?:me|us)|you guys"
                          r"|speak (?:english|chinese|mandarin|cantonese))\b|fapiao", re.I)
_EN_SWAP = {"i": "you", "me": "you", "my": "your", "mine": "yours", "we": "you", "our": "your", "us": "you",
            "you": "we", "your": "our", "yours": "ours"}


def _english_questions(words: str, covered: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for sentence in _EN_CLAUSE.findall(words):
        for part in _EN_SPLIT.split(sentence.strip()):
            said = _english_indirect(part.strip(), covered)
            if said and said not in found:
                found.append(said)
            if len(found) == MAX_QUESTIONS:
                return found
    return found


def _english_indirect(part: str, covered: tuple[str, ...]) -> str:
    """"Can I swap it?" → "whether you can swap it"; "" for any other shape, a plea, a condition or money."""
    match = _EN_QUESTION.match(part.rstrip("?") + "?")
    if (not match or _EN_LEFT_OUT.search(part) or len(match.group("rest").split()) > 12 or re.search(r"[()]", part)
            or re.fullmatch(r"do(?: now| then)?", match.group("rest"), re.I)  # "What do I do?" is a plea
            or _answered(normalise(part), covered)):
        return ""
    aux = match.group("aux").lower()
    wh = (match.group("wh") or "").strip().lower() or "whether"
    words = (wh, _en_swap(match.group("subject")), "" if aux == "do" else aux, _en_swap(match.group("rest")))
    return " ".join(w for w in words if w)


def _en_swap(text: str) -> str:
    swapped = re.sub(r"\b(?:i|me|my|mine|we|our|us|you|your|yours)\b", lambda m: _EN_SWAP[m.group(0).lower()], text,
                     flags=re.I)
    return re.sub(r"\byou (am|was)\b", lambda m: "you " + {"am": "are", "was": "were"}[m.group(1)], swapped)
