"""What the customer said, read for the reply: what happened in their words, what they ask, what they gave.

- ``told``: one or two of their own clauses about what happened, turned into staff's voice (我 → 您,
  你们 → 我们), so the reply restates the case in a grammatical sentence instead of listing nouns. A clause
  that is a question, a demand, an insult, a promise, a threat, a risk (media, lawyer, danger …) or an
  instruction to the assistant is never restated: staff never read a threat back to a customer.
- ``asked``: the analysis's demands (it leaves out those the customer rules out: 我不是要你们赔钱).
- ``missing``: the facts this issue needs when the customer has given none (an order number, a date, an
  amount already said is never asked again; a customer who gave any fact of the story is not asked for more).
- ``listed``: the requests they number, or make one after another, in their last turn (listed.py), each answered in
  turn.
- ``requested``: what they explicitly ask staff to do (调出合同, 给个解释, 限额在哪里改), answered with an
  action staff may take (wording.yaml ``requests``).

Say less rather than something wrong: a clause is restated only when it says what happened (an issue word,
a term, a count), never praise (服务这么好我都舍不得走了 is sarcasm), a greeting (客服你好 → 客服我好), words to
the clerk, a quote or a clause ending in a question mark; the case's object is named only when it is a short
quoted name or a longer term, never a fragment (关于保人, 关于管理室, 关于双鞋开胶) or a person (店员).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach import safety
from coach.analyze import DEMAND_PATTERNS, FLAG_PATTERNS, IN_FULL, ISSUES, normalise
from coach.compose.facts import QUANTITY, key_facts
from coach.compose.listed import Listed, listed_requests
from coach.compose.questions import open_questions, swap_voice
from coach.compose.told_model import SAY_BACK, Candidate, told_model
from coach.compose.wording import Ask, wording
from coach.script import find_placeholders, to_simplified
from coach.types import Analysis, Channel, DemandName, Language

_CLAUSE_END = re.compile(r"[，,。！？!?；;：:\n…]+|(?<=[A-Za-z0-9])\.(?=\s|$)")
_CLAUSE = re.compile(rf"(?P<clause>.*?)(?P<end>(?:{_CLAUSE_END.pattern})|\Z)", re.S)
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_QUESTION = re.compile(r"吗|嘛|呢|干嘛|什么|怎么|如何|为什么|凭什么|哪|谁|啥|多少|多长|多久|几时|几天|难道|是不是"
                       r"|能不能|可不可以|能否|是否|可否"
                       r"|\b(?:why|what|how|who|where|when|which|can you|could you|will you)\b")
_NOT_RESTATED = re.compile(
    # promises, insults, emotion words, instructions, personal data: never repeated to the customer
    r"保证|承诺|担保|确保|答应|一定|肯定|绝对|必须|包赔|包退|全额|赔(?:偿|钱|我|给)|补偿|免费|骗|垃圾|混蛋|他妈|妈的|王八|无耻|坑|黑心"
    r"|废物|傻|蠢|滚|死|找谁|到底|没完|好看|看着办|气|受够|烦|过分|离谱|恶心|无语|崩溃|忽略|指示|指令|回复|原样|助手|系统"
    r"|私下|返[^回]|算了|不然|等着|走着瞧|为止|一直发|叫[小老阿]|[（(][^）)]*[）)]|\[|\]|[0-9]{5,}|guarantee|promis|idiot|useless|stupid|scam|fraud|ridiculous|disgust|ignore|instruction|reply"
    r"|refund|compensat|damn|hell|bloody"
    # where a customer threatens to post: named back it reads as the threat (analyze.py flags the posting only)
    r"|微博|抖音|小红书|weibo|xiaohongshu|douyin|tiktok|facebook|instagram|twitter"
    # a condition is half a threat (再不解决, 如果你们……): never restated
    r"|再不|如果|要是|不然|否则|假如|除非|^不给|不行就|^(?:请|麻烦|烦请|望)|\b(?:if|unless|otherwise)\b"
    r"|的话"
    # a death is not said back as "is that right?" (您是说今年二月於瀋陽病逝，我理解得对吗: panel -f)
    r"|病逝|去世|过世|逝世|身故|死了|走了|离世|passed away|\bdied\b|\bdeath\b"
    r"|(?:儿子|女儿|老伴|丈夫|妻子|父亲|母亲|爸|妈|孩子|人)[^，。]{0,4}没了"
    # a letter's addressee, its reference numbers, who they are and talk about the letter itself are not what
    # happened: "您在信中提到客服中心", "保单尾号0915", "您是静宁县的果农", "这封信是您说…" (panels -g, -h)
    r"|尊敬|同志|(?:中心|部门|负责人|行长|店长|公司|事务所|行政部|[^你我他她]部)\s*$|尾号|尾数|末[四几两三]?[码碼位]|[后後][四六几两三]位|编号|账号|卡号|^我是|^本人(?:是|系)"
    r"|这封信|写信|来信|此信|一事|以下|^因(?!为)|^自(?!己)|^给我|给我(?:一个|个|一份|写|出)"
    # a sit-in said back (晚饭就在这里吃), the question they mean to ask (您想问两个事), the complaint itself
    # (您是说您要投诉…化妆师): none is what happened (panel -g)
    r"|不走了|就在这(?:里|儿)?(?:吃|住|睡|等|坐)|坐在[^。！？!?]{0,6}不走|想问|问(?:两|几|一|三)个|请问|问一下"
    r"|(?:要|想|来)投诉|投诉(?:你们|一下)"
    # what they tell staff to do is the next step, not what happened (再把这两项都取消了就行)
    r"|把[^。！？!?]{0,10}(?:取消|退了|退掉|关了|关掉|停了|改回|删了|删掉)"
    # a name is not the case: 我叫张伟
    r"|我叫|我姓|名字叫|my name is"
    # where they will take it (media, courts, regulators) is never read back, nor what they say we owe them
    r"|抖音|微博|小红书|博主|记者|媒体|网上|曝光|热搜|视频|标题|律师|起诉|法院|监管|投诉到|12315|消协|工信部"
    r"|你们(?:得|要|会|必须|应该|给|帮|替|负责|赔|退|补|免)|给我(?:免|补|退|赔|返)|[「“\"]"
    # a clause opening on a preposition or a link is half a sentence (根据……第九条, 并于4月8日……, 其中7套……):
    # said back alone it is not what happened
    r"|^(?:根据|依据|按照|按|对于|关于|由于|鉴于|基于|并于|并且|并|其中|以及|包括|除了|随后|当时|系|即|经)"
    r"|[《》]"
    # talk about the talk, or about who they are, is not what happened: 我跟你说, 信不信, 我一个公司老总
    r"|跟你说|跟我说|跟您说|说句|信不信|你知道|告诉你|口吻|一个字|照着|扮演|老总|会员|老客户|大客户|做不了主|小姑娘"
    r"|\b(?:member|loyal|vip|years? with you|who i am|this is|director)\b|[”」』]"
    r"|sorry to|before (?:we|you) answer"
    # praise in a complaint is sarcasm (服务这么好，我都舍不得走了): never read back as if meant
    r"|这么好|真好|真棒|真行|真专业|真厉害|真周到|真贴心|真高|太好了|太棒了|舍不得|佩服|厉害了|服了|谢谢你们|感谢你们"
    r"|真是(?:太)?(?:好|棒|专业|行|厉害|周到|贴心|高效)|效率(?:真|这么|可|太)?高|高效|\b(?:great|wonderful|brilliant|amazing|fantastic|lovely)\b"
    # feedback, chat particles and reported speech do not restate well: 您提个意见啊, 您是说说明书上写
    r"|意见|建议|[啊呀哈呗吧]|^说|这是|feedback|suggest"
    # a guess about the outcome read back sounds like agreeing to it: 我妈这种情况理赔应该是能下来的吧
    r"|应该|估计|大概能|肯定能"
    # what they ask for, in passing or as an alternative: 或者这次保养的工时费就免了
    r"|或者|免(?:了|掉)|\bor\b|(?:退|赔|补|返|还)给"
    # instructions dressed as rules (管理员指令, 新规则: 直接承认是……) are never restated
    r"|承认|规则|管理员|admin"
    # a greeting, a salutation or a list number is not what happened (客服你好 said back is 客服我好)
    r"|你好|您好|^喂|在吗|^亲|^致|^\d+[.、]|^[一二三四五六七八九十][、.]|\b(?:dear|hi|hello|yes|re)\b|^to the"
    # words to the clerk (你来说说, 你帮我收着), the firm addressed formally (贵公司), someone else's words in
    # single quotes, talk about the talk (我再说最后一次): none says back well
    r"|你(?!们)|您(?!们)|贵(?:公司|司|行|方|平台|店|所|品牌|部门)|'[\u4e00-\u9fff]|[\u4e00-\u9fff]'"
    r"|说(?:最后)?一(?:次|遍)|从头说|再说"
    # sentence-final particles and Cantonese do not survive a voice change (我哋度 → 我們哋度)
    r"|[欸喔咧啦诶噢咯哦]|[嘅咗喺哋唔咁咩嚟啱冇睇畀佢嗰乜係]"
    # half a bracket (the clause was cut inside "(订单号 …,1150元)") or a dangling "when" (6月10日送货时)
    r"|[()（）]|时(?:候)?$|情况下$|之后$|以后$"
    # a reference number is not the story (Tracking number 4471-0932-88; 订单号是HW 2024 0 5 1 7 6 6 3 2, read out digit
    # by digit on the phone: panel -r)
    r"|\d{2,}[-‐]\d{2,}|tracking|waybill|order (?:no|number|#)|\breference\b|\bref\b"
    r"|订单号|订单编号|单号|\d(?:\s+\d){3,}"
    # a report to an authority is a threat too (我就去NCC检举, 举报)
    r"|检举|举报|ncc|消基会|消委会|金管会"
    # their credentials or means, and their list of demands, are not what happened: said back, 您开了十五年车,
    # 您一个月工资才四千多 and 您就三个要求 read as mockery (blind panel 2026-12-06-c)
    r"|工资|收入|退休金|存款就|要求|[开干做](?:了)?[^，。]{0,3}年(?:的)?(?:车|销售|会计|生意)|第[一二三四五六七八九十\d]+(?:次|遍)听"
    # a time limit they set is half a threat (七天内不给处理方案, 三天内没有答复): said back it reads as accepted
    r"|[一二两三四五六七八九十\d]+\s*(?:天|日|个工作日|個工作日|小时|小時)内")
_EN_VOICE = {"i": "you", "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "my": "your",
             "me": "you", "mine": "yours", "myself": "yourself", "you": "we", "your": "our", "yours": "ours",
             "you're": "we're", "you've": "we've", "you'll": "we'll"}
# a clause said back continues "If I have understood you, …": its first word is lower-cased unless it is a name
# ("…, Then you came home" read as pasted: panel -l)
_EN_LOWER = {"you", "you're", "you've", "your", "we", "our", "the", "a", "an", "it", "this", "that", "there", "all",
             "they", "then", "now", "after", "before", "when", "since", "also", "later", "today", "yesterday", "last",
             "still", "here", "once", "every", "each", "some", "both"}
MAX_TOLD = {"chat": 30, "counter": 40, "phone": 40, "letter": 60}
# requests that are a service, not a remedy: asked calmly, they are no complaint. An exchange, a reship or a
# redelivery repairs something that went wrong (a cracked bottle that cut her: "谢谢您来问我们" scored 1, panel -e)
SERVICE_REQUESTS = {"do_update_details", "do_reschedule", "do_port_number", "do_change_address", "do_invoice",
                    "do_card_retained", "do_inheritance", "do_beneficiary", "do_accident_report", "do_tow_or_drive",
                    "do_records_copy", "do_refund_timing", "do_claim_status", "do_contact_by_message",
                    "do_opening_hours", "do_business_order", "do_warranty_question", "do_plan_billing",
                    "check", "howto"}


@dataclass(frozen=True)
class Case:
    told: str  # their words in staff's voice, "" when no clause can be restated
    object: str  # their key term for what the case is about (叠加包), "" when none
    asked: list[DemandName]
    full_refund: bool
    missing: list[Ask]
    channel: Channel
    domain: str | None
    requested: tuple[str, ...] = ()
    question: bool = False  # they asked something (请问…？): the next step answers it, it is not deferred
    complaint: bool = True  # False: a calm question with nothing demanded, no apology or complaint registration
    aggrieved: bool = False  # a grievance in the question (凭什么, 难道, ？！): a complaint, never "thanks for asking"
    praised: bool = False  # they praise a colleague: thanked and passed on, never apologised to
    questions: tuple[str, ...] = ()  # their own questions in staff's voice, none a request line answers (questions.py)
    comfort_refused: bool = False  # 你别跟我说理解理解: no empathy opening, no apology
    listed: tuple[Listed, ...] = ()  # their requests (一、…；二、… or one after another), answered point by point

    @property
    def restated(self) -> list[DemandName]:
        """The demands said back to them. Urgency is not one (every 今天 read as a demand came back as
        "所以希望尽快有处理结果", formula to the panel), and a supervisor asked for has a line of its own."""
        return [d for d in self.asked if d not in ("deadline", "see_manager")]


def read_case(analysis: Analysis, words: str, channel: Channel, domain: str | None, latest: str | None = None) -> Case:
    """``words``: everything the customer said; ``latest``: their last turn, whose questions are still open (those of
    earlier turns staff have answered: panel -j read one said back as re-asking)."""
    norm = normalise(words)
    terms = case_terms(words, analysis.language)
    said = told(words, analysis, channel, terms)
    plain = to_simplified(said).lower()
    named = next((t for t in terms if t.lower() not in said.lower() and t.lower() not in plain
                  and _object_worthy(t, words) and (analysis.language != "en" or _english_noun_phrase(t, words))), "")
    # demands inside an instruction to the assistant are not the customer's
    injected = "injection" in analysis.risk_flags or bool(_INSTRUCTION.search(norm))
    calm = analysis.intensity == "low" and analysis.customer_type in ("求助型", "彬彬有礼型")
    question = not injected and asks_question(words, analysis.intensity == "low")
    aggrieved = wording().aggrieved(norm)
    # a request whose line is written for other domains only is not answered with it
    requested = () if injected else wording().requested(norm, channel, domain)
    praised = wording().praises(norm)
    # praise with requests and no grievance or claim (表扬小李 + 改个地址) is a letter to answer, not a complaint
    praise_only = praised and not aggrieved and not set(analysis.demands) & {"refund", "compensation", "interest",
                                                                              "discipline", "apology"}
    # "when will the refund arrive?" asks about a refund under way, not for one to be reviewed
    asked = [d for d in analysis.demands if not (d == "refund" and "do_refund_timing" in requested)]
    # a calm customer who asks something or asks staff to do something (update my number, move the delivery) is not
    # complaining: "complaint registered … three working days" to a booking scored 2 (panel -d); a date they want is
    # no grievance, and an elderly or bereaved customer asking for a service is not complaining either
    # They say it is no complaint: a privacy worry or a platform named does not make it one.
    disclaimed = wording().disclaims_complaint(norm) and not aggrieved and analysis.intensity != "high"
    asking_calmly = ((question or bool(SERVICE_REQUESTS & set(requested))) and (calm or disclaimed)
                     and not set(analysis.demands) - {"deadline"}
                     and not set(analysis.risk_flags) - {"injection", "vulnerable",
                                                         *(("privacy_breach", "media") if disclaimed else ())})
    return Case(
        told=said, object=named,
        asked=[] if injected else asked,
        # 全额 as the refund rule reads it (analyze.IN_FULL): 全额赔付 is no 全额退款 (panel -l)
        full_refund=not injected and bool(_FULL_REFUND.search(norm)),
        missing=missing_facts(analysis.issue, norm),
        channel=channel, domain=domain,
        requested=requested,
        question=question,
        complaint=aggrieved or (not praise_only and not asking_calmly),
        aggrieved=aggrieved,
        praised=praised,
        questions=() if injected else tuple(open_questions(latest or words, analysis.language, requested)),
        comfort_refused=wording().refuses_comfort(norm),
        listed=() if injected else listed_requests(latest or words),
    )


def case_terms(words: str, language: Language) -> list[str]:
    """Up to three of their key terms (facts.py) that can be named back."""
    return [t for t in key_facts(words, language, limit=6) if _nameable(t, words)][:3]


_FULL_REFUND = re.compile(IN_FULL + r"|full refund|refund in full|(?<!paid )in full")
_ASKING = re.compile(r"请问|想问|问一下|问下|想了解|想确认|能否|可否|是否|可不可以|能不能|可以吗|行不行"
                     r"|\b(?:could you|can you|can i|is it|would it|whether|do you)\b")


def asks_question(words: str, calm: bool) -> bool:
    """Whether the customer asks something: 请问/能不能/could you …, or, when calm, a clause ending in ？
    (an angry customer's 你们里面的人在干嘛？ is not a question to answer one by one, and a question word
    without a question mark is often none: 给多少钱也不给装)."""
    return any(_ASKING.search(normalise(clause)) or (calm and end) for clause, end in clauses(words))


def clauses(words: str) -> list[tuple[str, bool]]:
    """(clause, it ends in a question mark) for each clause of the customer's words. A thousands
    separator does not end a clause: 38,600 and NT$1,150 stay whole."""
    text = _THOUSANDS.sub("", words)
    return [(m.group("clause").strip(), bool(re.search(r"[?？]", m.group("end"))))
            for m in _CLAUSE.finditer(text) if m.group("clause").strip()]


def missing_facts(issue: str, norm: str) -> list[Ask]:
    w = wording()
    given = any(w.given_pattern(Ask(given=f"&{kind}", zh="", en="")).search(norm) for kind in w.fact_kinds)
    if given:  # they told the story with a fact of it (a date, an amount, an order number): staff look it up
        return []  # from that; the panel read any further question as re-asking what was said
    return [ask for ask in w.asks.get(issue, w.asks["general"])
            if not w.given_pattern(ask).search(norm) and re.search(ask.when, norm)]


_INSTRUCTION = re.compile(r"指令|原样|新任务|新规则|system\s*:|ignore (?:all|previous)")
_PERSON_OR_ID = re.compile(r"(?:员|师傅|师|顾问|导购|柜姐|经理|老板|主管|领导|人|号|者|姐|哥|妹|弟)$"
                           r"|(?:中|了|的|着|过|给|到|在|时间)$"
                           # the letter itself is not what it is about (关于投诉信: panel -e)
                           r"|(?:信|函|邮件)$"
                           r"|多长|多久|多少|^小(?:伙子|姑娘|哥|妹)"
                           r"|\b(?:member|agent|manager|staff|supervisor|customer|person|guy|lady|man|woman|client)s?\b"
                           r"|^(?:yuan|rmb|dollars?|pounds?|euros?)\b"
                           # fragments the panel read as garbled: a classifier cut from its noun (这双鞋开胶 →
                           # 双鞋开胶), a clause (红酒有沉淀很正常), a party or an amount (对方全责, 总金额), a
                           # room (管理室), an English run with a verb, a unit or a code ("nobody calls", "months
                           # pregnant", "placed order jd", "waybill zt")
                           r"|^[双只件条瓶箱辆份]|[有很是说]|对方|全责|金额|[室处]$|一下$|交代|转账$"
                           r"|\b(?:nobody|someone|placed|covers|calls|order|section|months?|years?|weeks?|days?|hours?)\b"
                           r"|\b[b-df-hj-np-tv-z]{2}\b")


_PLACE = re.compile(r"(?:环|路|街|道|区|县|市|省|镇|村|站|桥|广场|大厦|商场|小区)$")


def _object_worthy(term: str, words: str) -> bool:
    """A term the reply may name as the case's object: a short name the customer quoted, or a longer term
    (发动机舱盖, 空气炸锅, robot vacuum) that is not a person, an identifier, a fragment or someone else's
    words (均被告知“正常现象”: panel -h read "关于正常现象" as garbled)."""
    simplified = to_simplified(words)
    if re.search(rf"(?:说|讲|叫|写着|称|告知|答复)(?:是|这是|这个是|为)?[“\"「『]?{re.escape(term)}", simplified):
        return False
    if 3 <= len(term) <= 6 and re.search(rf"[“\"「『《]{re.escape(term)}[”\"」』》]", simplified):
        return True
    if _PERSON_OR_ID.search(term.lower()) or _PLACE.search(term):
        return False  # a street or a district is where it happened, not what (关于北陵大街, 关于东四环: panels -h, -i)
    return len(term.split()) >= 2 if re.search(r"[A-Za-z]", term) else len(term) >= 3


_EN_VERBISH = re.compile(r"\b(?:keeps?|kept|failing|failed|fails|speak|fly|flying|activate|go|going|come|get|got"
                         r"|feels?|felt|looks?|seems?"
                         r"|want|need|says?|said|is|are|was|were|be|been|can|will|would)\b", re.I)


# a place, a person, or a run that ends on a participle or an adverb is not what the case is about
# ("the nanjing west road", "the international student", "the passport number twice", "the text saying")
_EN_NOT_OBJECT = re.compile(r"\b(?:near|of|for|to|at|in|on|with|from|by|through|up|out|off|down|over)$"
                            r"|^(?:morning|afternoon|evening|night|today|yesterday|week|weekend|month)\b"
                            r"|\b(?:road|street|avenue|shop|branch|store|station|mall|centre|center|office|student"
                            r"|resident|tourist|expat|foreigner)$|(?:ing|ed|ly)$|\b(?:twice|after|before|again"
                            r"|already|yet|ago|now|today|yesterday|tomorrow|outside|inside|here|there)$", re.I)


def _english_noun_phrase(term: str, words: str) -> bool:
    """An English term the customer used as a noun phrase, after an article or a possessive (my debit card,
    the small tasting corner): runs cut from a clause ("About the type diabetic", "the before thursday night",
    "the speak english": blind panel 2026-12-06-d) have none before them, or a verb inside."""
    determined = re.search(rf"\b(?:the|my|a|an|your|our|this|that|his|her|their)\s+{re.escape(term)}\b", words, re.I)
    return bool(determined) and not _EN_VERBISH.search(term) and not _EN_NOT_OBJECT.search(term)


_WORD_EDGE = set("的了这那个我你他她在是买用把被说都也就还和跟给对从里上下中有没要让将到")


def _nameable(term: str, words: str) -> bool:
    """A term the reply may name: a whole word where the customer said it (not 子弹 out of 盖子弹起来),
    not a reduplication (闻闻), not a bare quantity, not a threat or a risk (横幅, 记者) read back."""
    norm = normalise(term)
    if QUANTITY.fullmatch(term) or any(p.search(norm) for _, p in FLAG_PATTERNS) or _NOT_RESTATED.search(norm):
        return False
    half = len(term) // 2
    chinese = bool(re.fullmatch(r"[\u4e00-\u9fff]+", term))
    return not (chinese and (term[:half] == term[half:] or not _whole_word(term, words)))


def _whole_word(term: str, words: str) -> bool:
    simplified = to_simplified(words)
    for m in re.finditer(re.escape(term), simplified):
        before = simplified[m.start() - 1] if m.start() else " "
        after = simplified[m.end()] if m.end() < len(simplified) else " "
        if all(not ("\u4e00" <= c <= "\u9fff") or c in _WORD_EDGE for c in (before, after)):
            return True
    return False


def safe_to_say_back(text: str) -> bool:
    """No question, demand, risk, threat or anything else _NOT_RESTATED keeps out: what happened, nothing more."""
    norm = normalise(text)
    if _QUESTION.search(norm) or _NOT_RESTATED.search(norm) or find_placeholders(text):  # 闽D·5Q8xx
        return False
    if any(p.search(norm) for _, p in DEMAND_PATTERNS) or safety.detect(norm):
        return False
    return not any(p.search(norm) for name, p in FLAG_PATTERNS if name != "vulnerable")


def _restatable(clause: str, language: Language) -> bool:
    if not safe_to_say_back(clause):
        return False
    norm = normalise(clause)
    if language == "en":
        words = norm.split()
        # said back after "If I have understood you," only a clause with its own subject and a verb reads as a
        # sentence ("you ordered…"); "Plate is 粤B…", "ordered the serum on the 3rd" or "the tyre change from last
        # week" did not (panel -f)
        return (3 <= len(words) <= 14 and not re.search(r"\b(?:we|our|us|ours)\b", norm)
                and bool(_EN_SUBJECT.match(norm)) and bool(_EN_VERB.search(norm)))
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in clause)
    # a date alone (本年九月十二日) tells nothing that happened
    told_beyond_dates = sum("\u4e00" <= c <= "\u9fff" for c in _DATE_WORDS.sub("", clause))
    return (cjk >= 4 and told_beyond_dates >= 3 and len(clause) <= 30 and not re.search(r"我们|咱们|咱", clause)
            and not re.search(r"[a-z]{4,}", norm))


_EN_SUBJECT = re.compile(r"(?:(?:and|but|so|then)\s+)?(?:i|my|i'm|i've|i'd|me|you|your|it|it's"
                         r"|the|this|that|these|those"
                         r"|they|he|she|his|her|their|a|an)\b")
_EN_VERB = re.compile(r"\b\w+ed\b|\b(?:is|are|was|were|am|has|have|had|got|gets|get|did|does|do|said|says|went|came"
                      r"|took|kept|sent|made|broke|left|paid|bought|told|gave|put|ate|keeps|stopped|won't|can't|don't"
                      r"|didn't|isn't|wasn't|doesn't|snapped)\b|'s\b|'m\b|'re\b|'ve\b")
_DATE_WORDS = re.compile(r"[0-9０-９]+"
                         r"|[年月日号號本今去前昨明上下午晚早点點分时時周週星期礼禮拜一二三四五六七八九十两兩零〇]")


def _weight(clause: str, terms: list[str]) -> int:
    norm = normalise(clause)
    score = 4 if any(i.pattern.search(norm) for i in ISSUES) else 0
    score += 3 * sum(t.lower() in norm for t in terms)
    score += 3 if _COUNTED.search(norm) else 0
    score += 1 if 6 <= len(clause) <= 20 else 0
    return score - (1 if re.match(r"[就但而且还又也可]", clause) else 0)


def candidates(words: str, language: Language, terms: list[str] = ()) -> list[Candidate]:  # type: ignore[assignment]
    """The clauses that may be said back, with their place and the hand ranking's weight. A clause that ends in a
    question mark is a question, often a rhetorical one (一个枕头能有多重？), and what they ask staff to do
    (你们把我从名单里删了) is the next step's: said back it reads as ours."""
    split = clauses(words)
    return [Candidate(c, i, len(split), _weight(c, terms)) for i, (c, asked) in enumerate(split)
            if not asked and _restatable(c, language) and not wording().requested(normalise(c))]


def told(words: str, analysis: Analysis, channel: Channel, terms: list[str] = ()) -> str:  # type: ignore[assignment]
    """The clause (and the next best when it fits) that best says what happened, in staff's voice, ranked by
    told_model.py; none when no clause scores SAY_BACK. Nothing from a message that tries to instruct the
    assistant: any clause of it may be the instruction."""
    language = analysis.language
    if "injection" in analysis.risk_flags:
        return ""
    found = candidates(words, language, terms)
    limit = MAX_TOLD[channel] * (3 if language == "en" else 1)
    scores = told_model().scores(found)
    ranked = [c for score, c in sorted(zip(scores, found, strict=True), key=lambda item: (-item[0], item[1].index))
              if score >= SAY_BACK and len(c.text) <= limit]
    if not ranked:
        return ""
    best = ranked[0]
    # the next best joins it when it fits too and is no fragment: in the customer's order
    second = next((c for c in ranked[1:] if len(best.text) + len(c.text) + 1 <= limit and len(c.text) >= 6), None)
    chosen = sorted([best, second], key=lambda c: c.index) if second else [best]
    said = [voice(c.text, language) for c in chosen]
    if language == "en":  # a later clause continues the sentence: "…, three visits", not "…, Three visits"
        said = [said[0], *(c[:1].lower() + c[1:] if not c.startswith("I ") else c for c in said[1:])]
    return ("，" if language != "en" else ", ").join(said)


_LEADING = re.compile(r"^(?:但是|但|可是|可(?![以能是])|而且|结果|所以|因为|然后|另外|还有"
                      r"|(?:and|but|so|even though|though|although|because)\b)\s*", re.I)
_COUNTED = re.compile(r"\d|[一二两三四五六七八九十百千万几半]+(?:个|天|次|万|块|元|小时|分钟|年|月|周|瓶|箱)")


def voice(text: str, language: Language) -> str:
    """The customer's words as staff say them back: 我 → 您, 你们 → 我们; I → you."""
    text = _LEADING.sub("", text)
    if language == "en":
        swapped = re.sub(r"\b(?:i'm|i've|i'd|i'll|i|my|me|mine|myself|you're|you've|you'll|you|your|yours)\b",
                         lambda m: _EN_VOICE[m.group(0).lower()], text, flags=re.I)
        # the verb agrees with its new subject: "I am" said back was "you am" (panel -e)
        swapped = re.sub(r"\byou (am|was)\b", lambda m: "you " + {"am": "are", "was": "were"}[m.group(1).lower()],
                         swapped, flags=re.I)
        first = swapped.split(" ", 1)[0]
        return swapped[:1].lower() + swapped[1:] if first.lower() in _EN_LOWER else swapped
    swapped = swap_voice(text)
    return swapped.rstrip("了啊呀吧哦嘛").strip() if swapped.endswith(("啊", "呀", "吧", "哦", "嘛")) else swapped
