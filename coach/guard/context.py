"""The guard in context: "好的，没问题" right after "能全额退吗?" is a refund promise.

The customer's last turn is read for a demand in a forbidden category; the reply's opening assent
("好的", "没问题", "可以", "OK", "Sure", "就按您说的办", …) to that demand is reported in that category, with
the demand quoted. Assent to what staff may do, to the customer's rights, or to a withdrawn demand is
fine, and so is an "好的" that only acknowledges before a non-committal answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from coach.guard import text as gt
from coach.guard.base import GuardContext
from coach.guard.commitment import EXPLAINABLE, published
from coach.types import ContextTurn, Violation

ContextInput = str | list[ContextTurn] | list[dict[str, str]] | None

_STAFF = {"staff", "agent", "客服", "柜员", "坐席", "assistant", "员工", "me", "我", "advisor", "service"}


@dataclass(frozen=True)
class Demand:
    category: str
    text: str  # the customer's sentence, as written
    latest: str = ""  # the customer's last turn, normalised (it may only press for an answer: "开不开?")


# Demands, on the customer's normalised text. Order = priority when a sentence asks for several things.
_TIME = (r"(?:今天|今日|今晚|今儿|明天|明儿|明早|后天|马上|立刻|现在|当天|本周|这周|下周[一二三四五六日末]?"
         r"|周[一二三四五六日末]|星期[一二三四五六日天]|月底|年底|下班前|账单日|[\d一二三四五六七八九十两半几]+(?:个)?(?:天|小时|分钟|工作日|号|点))")
_DEMANDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((c, re.compile(p)) for c, p in (
    ("private_deal", r"私了|私下|撤诉|撤(?:销|回)?投诉|不(?:再)?投诉|不告(?!诉)|不(?:去)?曝光"
                     r"|(?:给|补)我[^。?]{0,8}(?:就|我就)(?:不|撤|删)|不(?:去)?找(?:电视台|记者|媒体|消协|监管)"
                     r"|删(?:差评|帖)|drop (?:the|my) complaint|off the record"),
    ("media_statement", r"采访|记者|栏目|电视台|代表[^。?]{0,12}(?:回应|表态|说)|(?:你|您)(?:能|可以|愿意"
                        r"|敢)?[^。?]{0,4}(?:公开回应|表态|发表|说几句)|interview|on the record|comment on"),
    ("rule_exception", r"通融|破(?:个)?例|特殊处理|例外|网开一面|走后门|(?:不用|不要|免|跳过|省)(?:了)?(?:审核|手续"
                       r"|材料|证明|流程|排队|这一步|核验|验证|签字)"
                       r"|(?:核验|验证|审核|签字|本人|身份证|原件|手续)[^。?]{0,4}(?:也)?(?:免了|不用|不要|跳过)"
                       r"|先(?:帮|给)?我?办|插(?:个)?队|没带[^。?]{0,6}(?:能|可以|也)|exception|bend the rules?|skip"),
    ("staff_discipline", r"开除|辞退|辞(?:了|掉)|处分|处罚|扣[^。?]{0,6}(?:工资|奖金|提成|绩效)|扣(?:他|她)"
                         r"|炒(?:了)?(?:他|她)"
                         r"|让(?:他|她)(?:滚|下岗|走人)|\bfired?\b|sack|punish|discipline"),
    ("liability_admission", r"承认|认错|(?:是不是|就是|是)你们的(?:错|责任|问题|锅)|你们(?:负|担)(?:全)?责|误导"
                            r"|骗(?:了)?我|忽悠|(?:(?:是不是|是)你们|你们是不是)[^。?]{0,10}(?:弄|搞|摔|刮|碰|导致|造成|卖的假|错)"
                            r"|admit|fault|to blame|on you\b"),
    ("deadline", _TIME + r"(?:之前|以前|前|之内|以内|内)?[^。?]{0,12}"
                 r"(?:结果|到账|办好|解决|退|赔|处理完|搞定|修好|换好|弄好|说法|送到|(?<![遇收看听找想])到(?!期)|批|放下来|下来"
                 r"|送达|送来|送过来|发货|发出|配送|派送|上门|安装)"  # run 8: "要今天就能送达的"
                 r"|today|tomorrow|tonight|right now|by (?:monday|friday|tonight)"),
    ("guaranteed_outcome", r"保证|(?:一定|肯定)(?:能|会|可以)|确定(?:能|会|可以)|打包票|百分之百|准话|能不能(?:过"
                           r"|通过|批|成)"
                           r"|能(?:通过|过|批|判)|(?:给我|得|必须)通过|guarantee|promise|make sure"),
    ("refund_outcome", r"(?:钱|款|本金)[^。?]{0,8}(?:要回来|拿回来|追回来|退回来)"
                       r"|全额|全部退|全退|退(?:款|保|货|钱|费|给我|还)|能退|退吗|把钱(?:还|退)|refund|money back"
                       r"|\bfull\b|\w+ back\b"),
    ("compensation", r"(?:你们|你)(?:来)?(?:出|承担|负责|担)(?=$|[吧吗啊呀?,，。]|运费|损失|费用)"
                     r"|(?<!理)赔(?:偿|钱|我)?|补偿|利息|手续费|免(?:费|单|了|掉)|代金券|优惠券|礼品|送(?:我|点)|损失费"
                     r"|补(?:给我|点|些|差价|回来)|积分|月租|罚息"
                     r"|(?:再)?(?:补|送)(?:我)?[\d一二两三四五六七八九十]+(?:瓶|箱|个|件|张|份|盒)|报(?:销|了)"
                     r"|compensat|reimburs|waive|voucher|credit|pay for"),
    # replaced, repaired, intercepted: "能给我换个新的吗", "不会再送过来吧?", "能拦截吗" (after compensation: "换一箱
    #新的，再补两瓶" is a demand for goods); "第一次就没(有)修好的" tells what happened, it asks for no repair
    ("guaranteed_outcome", r"换(?:个|一个|台|一台|件|一件|一箱)?新|(?:给|帮)我换|重新(?:发|寄)|补发|(?<![没有])修好"
                           r"|拦截|拦(?:得)?(?:下|住)"
                           r"|(?:不会|会不会|还会|别)(?:再|又)?(?:(?!影响)[^。?]){0,6}(?:送|派送|配送|发|寄|扣|收(?:我|费|钱)|有问题|出问题|坏|错)"
                           # run 8: a third party made to act for the customer ("能否让快递员确认后再给我发个短信"):
                           # staff cannot answer for the courier or the merchant
                           r"|让(?:快递|快递员|快递小哥|小哥|配送员|送货员|师傅|商家|卖家|仓库|站点|物流)[^。?]{0,12}"
                           r"(?:发|送|确认|上门|安装|退|换|补|改)"),
))
_REQUEST = re.compile(r"吗|(?<![什怎这那多])么|嘛|呢|吧|\?|能不能|可不可以|行不行|好不好|是不是|我(?:们)?要求|必须|赶紧"
                           r"|马上|立刻|请|(?<!还是)(?<!却)给我|(?:你|你们|必须|总|就)得|会不会|还会"
                           r"|我(?:就|一定|非)?要|(?:你|您|你们)(?:得)?保证|就(?:投诉|曝光|告)"
                           r"|能否|可否|不$|^要(?![是不然])"  # "要今天就能送达的": a chat demand opens with 要
                           r"|please|can you|could you|will you|i want|i need|i demand|must|have to")
# "你就说行不行", "说话呀", "给个痛快话": a turn that only presses for an answer to what was asked before.
_PRESSING = re.compile(r"行不行|能不能|可不可以|可以吗|行吗|怎么样|到底|你就说|说话|准话|痛快话|听见|听到没|对不对"
                            r"|是不是|给个(?:话|答复)|\?|吗|呢|yes or no|well|right|answer me")
_GENERIC = re.compile(r"准话|痛快话")
_WITHDRAWN = re.compile(
    r"(?:赔偿|补偿|退款|退保|退货|钱|赔|退)[^。?]{0,4}(?:就|也|我)?(?:不要|不用|不需要|算了)|(?:不要|不用|不需要"
    r"|不求)(?:什么)?(?:赔偿|补偿|退款|退保|赔|退)"
    r"|算了|不管了|不追究|不计较|不要求|不强求|按(?:流程|规定)(?:走|来|办)|never mind|forget (?:about )?(?:it|the)"
    r"|no (?:compensation|refund)|don't (?:need|want) (?:the |a |any )?(?:compensation|refund)"
)
_ALLOWED_ASK = re.compile(r"告诉我|通知我|说一声"
                          r"|(?:帮|给|替)我[^。?]{0,6}(?:查|记|转|催|登记|联系|反馈|问|提交|交上|盯|跟进|关注"
                               r"|提(?:个)?申请|申请|检测|送检|送修|鉴定|派|开(?:个)?(?:单|回执|证明))|进度|状态|回电|回(?:个)?电话"
                               r"|打给我|联系我|记下来|转给|转交|反映给|上报|跟进|跟到底|认真|重视|尽快(?:处理|审)"
                               r"|\b(?:check|log|record|forward|pass|escalate|note)\b|call me|look into|in writing")
_RIGHTS = re.compile(
    r"我(?:能|可以|是否可以|有没有权利?|有权)[^。?]{0,6}(?:投诉|举报|起诉|报警|找(?:监管|银保监|消协"
    r"|12315|律师|媒体|记者)"
    r"|打(?:12315|12378)|查看|复印|申诉|拒收|录音|自己找|第三方)"
    r"|can i (?:complain|file|report|appeal)")
# "合同上写的是退保按现金价值退 对吧": a question about the published rules, which staff may confirm.
_RULE_QUESTION = re.compile(
    r"(?<!不管)(?<!不管什么)(?:合同|条款|协议|天无理由|犹豫期|三包|保修期|说明书|价保|页面)"
)
_RULE_CATEGORIES = {"refund_outcome", "compensation", "deadline"}
# A question that checks the customer's understanding of a fact or a step, not a request: "我不用取件是吗",
# "商家已经退给我88888了对吗", "直接给快递员师傅就可以了吗". It asks for something when it holds a want; and
# confirming an accusation ("是你们仓库发错货了吧?" "对的") admits it.
# An outcome is demanded when the customer asks for it or asks whether it can happen; the other categories'
# words (开除, 私了, 记者, 通融, 误导) carry the demand themselves.
_OUTCOME_CATEGORIES = {"refund_outcome", "compensation", "deadline", "guaranteed_outcome"}
_ASKS_OUTCOME = re.compile(r"能|可以|会|要|得|必须|给|赔|退|补|换|赶紧|快|吧|行不行|好不好"
                           r"|please|can|could|will|want|need|promise|refund|money|compensat|back")
_CONFIRMING = re.compile(r"是吗|对吗|是吧|对吧|了吗|了吧|了么|的吗|已经|意思是|就可以了?吗|就行了?吗|有用吗"
                         r"|我如果|如果我")  # "我如果退货，白条也一起取消的吗": how a step works
_WANTING = re.compile(r"能不能|能否|可不可以|可以.{0,6}吗|能.{0,8}吗|帮我|我要|必须|保证|一定|肯定|会不会|行不行"
                      r"|赶紧|马上|今天|今晚|明天")
# Longer forms first: the alternation takes the first that matches ("好吧" before "好").
_ASSENT_CORE = re.compile(
    r"好吧|好嘞|好啦|好的?|行吧|行啊|行|可以(?:的|啊|呀)?|能做到|能的?|成|妥妥的?|妥|包的|包在我身上|稳了|没毛病"
    r"|没问题|没有问题|当然(?:可以|能|没问题)?|放心(?:吧)?|(?:这个)?(?:您|你)放心|答应(?:您|你)|一言为定"
    r"|(?:就)?按(?:您|你)说的(?:办|来)?|听(?:您|你)的|就这么(?:办|定了)|都给(?:您|你)安排上|安排上|下不为例"
    r"|就是这样|是这样|没错|确实|ok(?:ay)?的?|sure(?: thing)?|deal|yes|yep|yeah|yup|no problem|of course|will do"
    r"|absolutely|all of it|consider it done|嗯+|是的?|对的?|收到|明白|知道了|听见了|听到了|做得到|办得到|来得及"
    r"|会的|负责(?:的)?|保证|确定(?:的|能|会)?|肯定(?:的|能|会)?|一定(?:的|能|会)?|it will|i can|we can|i will"
)
_BOUNDARY = re.compile(r"$|[,，。!！?？;；.~\s]|的|啊|呀|呢|哈|嘞|哦|啦|亲")
_SEPARATOR = re.compile(r"[,，。!！~\s的啊呀呢哈嘞哦啦亲]*")
_FILLER = re.compile(r"(?:[哦噢喔啊]+|亲+|亲爱的|您好|你好|先生|女士|这个|那|[,，。!！~\s])*")
_WEAK = re.compile(r"^(?:好的?|好吧|好嘞|好啦|嗯+|是的?|对|收到|明白|知道了|听见了|听到了|ok(?:ay)?|放心(?:吧)?"
                        r"|(?:就)?是这样|(?:这个)?(?:您|你)放心)$")
_ECHO = re.compile(r"(?:能|会|可以|肯定|一定)([\u4e00-\u9fff]{1,3})(?=$|[,，。!！?？;；.~\s]|的|啊|呀|呢|哈)")
_BARE_VERBS = frozenset("换退赔修补免")
_EITHER_OR = re.compile(r"([\u4e00-\u9fff])不\1")  # "开不开?", "赔不赔": the reply may echo the verb
_ACKNOWLEDGE = re.compile(
    r"^[,，。!\s]*(?:我(?:能|很|非常)?(?:理解|明白|了解|知道)|理解|明白|i (?:understand|hear you"
    r"|see)|您的(?:诉求|意见|心情))")
_NONCOMMITTAL = re.compile(
    r"理解|明白|了解|知道|诉求|记录|记下|收到|审核|核实|申请|反馈|需要|规定|不能|无法|没办法|暂时|为准|转(?:给|交)|专员"
    r"|上级|部门|查|不确定|不保证|得按|要看|结果|([\u4e00-\u9fff])不\1|预计|大概|一般|估计|尽量|催"  # run 8: hedged
    r"|稍等|约定|合同|按照|根据|反映|进展|进度|understand|need|review|can't|cannot|check|forward|verify|note|pass it"
)
# "不会再扣费吧?" / "会不会再送过来?" answered "不会的": the denial grants what the customer asked for.
_WILL_QUESTION = re.compile(r"不[^。?]{0,12}(?:吧|吗|\?)|会不会|还会|会[^。?]{0,12}(?:吗|么)")
_DENIAL = re.compile(r"(?:肯定|绝对|一定|保证)?不会(?:的|了|啦|哒)?")
_GRANTED_NEGATIVE = re.compile(r"不会(?:给(?:您|你))?(?:再|又)?"
                               r"(?:派送|配送|送|发|寄|扣|收|有问题|出问题|坏|错|让(?:您|你)吃亏)")
# A condition the grant is subject to (narrower than the commitment scope: "不审核了", "您就等着" are no condition).
_ON_CONDITION = re.compile(r"如果|假如|要是|的话|符合|满足|(?:检测|核实|鉴定|审核)[^,，。]{0,4}(?:确认|通过|后)"
                           r"|\bif\b|provided")
_CONTRAST = re.compile(r"^[,，。!\s]*(?:但|不过|只是|however|but)")


def is_staff(turn: ContextTurn) -> bool:
    return turn.speaker.strip().lower() in _STAFF


def parse_context(context: ContextInput) -> list[ContextTurn]:
    if context is None:
        return []
    if isinstance(context, str):
        return [ContextTurn(speaker="customer", text=context)] if context.strip() else []
    return [t if isinstance(t, ContextTurn) else ContextTurn.model_validate(t) for t in context]


def customer_words(context: ContextInput) -> str:
    """The customer's turns, normalised and without punctuation: what a reply may quote back."""
    return "".join(gt.compact_text(t.text) for t in parse_context(context) if not is_staff(t))


def staff_before(context: ContextInput) -> str:
    """Staff's own turn just before the reply (the last staff turn of the context), normalised: where a refusal's
    reason or the help that goes with it may already have been told (run 9)."""
    for turn in reversed(parse_context(context)):
        if is_staff(turn):
            return gt.normalise(turn.text)
    return ""


_EXCUSED = object()  # the turn settles it: an allowed request, a right, a withdrawn demand, a rules question


def last_demand(context: ContextInput) -> Demand | None:
    """The forbidden-category demand the reply answers.

    The customer's last turn, or, when that turn only presses for an answer ("你就说行不行", "说话呀"), the
    demand in an earlier customer turn (up to three back): the assent two turns later answers it.
    """
    turns = [t for t in parse_context(context) if not is_staff(t)]
    if not turns:
        return None
    found = _turn_demand(turns[-1].text)
    latest = gt.normalise(turns[-1].text)
    if found is _EXCUSED:
        return None
    if isinstance(found, Demand) and not _GENERIC.search(found.text):
        return replace(found, latest=latest)
    if _PRESSING.search(latest) and _presses_only(latest):
        for turn in reversed(turns[-4:-1]):
            earlier = _turn_demand(turn.text)
            if earlier is _EXCUSED:
                break
            if isinstance(earlier, Demand):
                return replace(earlier, latest=latest)
    return replace(found, latest=latest) if isinstance(found, Demand) else None


# "你就说行不行", "到底可不可以?", "说话呀": short, or worded to press; a question with content of its own
# ("中途取消了 就不会生效吗") asks that, not the earlier demand.
_PRESS_WORDS = re.compile(r"你就说|到底|说话|准话|痛快话|听见|听到没|给个(?:话|答复)|yes or no|answer me")


def _presses_only(latest: str) -> bool:
    parts = gt.sentences(latest)
    last = parts[-1].norm if parts else ""
    return bool(_PRESS_WORDS.search(latest) or _EITHER_OR.search(last)) or len(gt.compact(last)[0]) <= 8


def _turn_demand(text: str) -> Demand | object | None:
    norm = gt.normalise(text)
    parts = gt.sentences(norm)
    requests = [i for i, s in enumerate(parts) if _REQUEST.search(s.norm)]
    with_demand = [i for i, s in enumerate(parts) if _category(s.norm)]
    index = requests[-1] if requests else (with_demand[-1] if with_demand else None)
    if index is None:
        return None
    if not requests and _category(parts[index].norm) in _OUTCOME_CATEGORIES:
        return None  # "退货", "我今天收到一条短信…": names an outcome, asks for none
    if _RIGHTS.search(parts[index].norm) or _ALLOWED_ASK.search(parts[index].norm):
        return _EXCUSED
    if _category(parts[index].norm) is None and index > 0:  # "I want a $50 voucher. Can you do that?"
        index -= 1
    target = parts[index]
    category = _category(target.norm)
    if category != "liability_admission" and _CONFIRMING.search(target.norm) and not _WANTING.search(target.norm):
        return _EXCUSED  # "取消了是吗", "直接给快递员就可以了吗": checking a fact or a step, asking for nothing
    if category is None:
        return _EXCUSED if _WITHDRAWN.search(norm) else None
    if category != "private_deal" and _WITHDRAWN.search(target.norm):
        return _EXCUSED
    if category in _RULE_CATEGORIES and _RULE_QUESTION.search(norm):
        return _EXCUSED
    if category in _OUTCOME_CATEGORIES and not (_WANTING.search(target.norm) or _ASKS_OUTCOME.search(target.norm)):
        return None  # "退款以后白条的账单变化会体现出来吗": a question about how things work
    if category == "deadline" and _EXPECTS_NOT.search(target.norm):
        return None  # run 9: "感觉今天也送不到了": the customer expects it will not happen, and asks for nothing
    if category in _PROCESS_ASKABLE and _asks_process(target.norm):
        return _EXCUSED  # run 9: "申请下退货": the customer asks for a process staff can keep, not its outcome
    return Demand(category, text[target.start:target.end].strip())


_EXPECTS_NOT = re.compile(r"(?:送|到|来|收|发)不(?:到|了)了(?!吗|么|吧|\?)|不用[^。?]{0,6}等")
_PROCESS_ASKABLE = {"refund_outcome", "compensation", "guaranteed_outcome"}
_INSISTS = re.compile(r"保证|一定|肯定|必须|确保|马上|立刻|今天|今晚|明天|全额|通过|能过|过吗|过吧|批|准话")


def _asks_process(norm: str) -> bool:
    """The demand names a process (commitment.yaml, ``scope.process_asked``: 申请, 提交, 反馈 …) and insists on
    no outcome ("帮我申请退款，保证能退吗" still asks for the refund)."""
    from coach.guard.commitment import vocabulary  # the policy's words

    return bool(vocabulary().scope["process_asked"].search(norm)) and not _INSISTS.search(norm)


def _category(norm: str) -> str | None:
    found = next((category for category, pattern in _DEMANDS if pattern.search(norm)), None)
    if found is None and _ASKING.search(norm):
        from coach.guard.commitment import vocabulary  # the policy's words (commitment.yaml, asserted_fault)

        if vocabulary().asserted_fault.search(norm):  # "原因就是系统异常吗": confirming it admits the fault
            return "liability_admission"
    return found


_ASKING = re.compile(r"吗|么|吧|\?|是不是")
# The customer only thanks or acknowledges ("谢谢!", "好的", "嗯嗯"): an earlier demand is still open.
_COURTESY_ONLY = re.compile(r"^(?:谢谢|多谢|感谢|好的?|嗯+|哦+|ok|麻烦(?:你|您)?了|辛苦(?:了)?|[\s,，。!！~])+$")


def open_demand(context: ContextInput) -> Demand | None:
    """The demand a reply's body may grant: the customer's last turn's, or, when the customer has only thanked or
    acknowledged since ("拦截不成功还是会送货么" … "谢谢!"), the one before (up to three turns back). Unlike
    ``last_demand`` this is never read for a bare assent at the head of the reply ("好的 不客气" to "谢谢" grants
    nothing): only for an outcome the reply names itself (commitment.yaml, `will`)."""
    turns = [t for t in parse_context(context) if not is_staff(t)]
    for turn in reversed(turns[-4:]):
        found = _turn_demand(turn.text)
        if found is _EXCUSED:
            return None
        if isinstance(found, Demand):
            return found
        if not _COURTESY_ONLY.match(gt.normalise(turn.text).strip()):
            return None
    return None


class Assent:
    """Assent at the head of the reply to a demand in a forbidden category."""

    rule = "context.assent"

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        demand = ctx.demand
        if not isinstance(demand, Demand):
            return []
        span = self._assent_span(ctx.norm, gt.normalise(demand.text), demand.latest)
        if span is None:
            return []
        start, end, weak = span
        rest = ctx.norm[end:]
        negated = gt._NEGATOR.search(rest)
        if negated and _GRANTED_NEGATIVE.match(rest, negated.start()):
            negated = None  # "没问题的亲，不会给您派送的": the negation is what the customer asked for
        if _CONTRAST.search(rest) or _ACKNOWLEDGE.search(rest) or negated:
            return []
        if weak and _NONCOMMITTAL.search(rest):
            return []
        if demand.category in EXPLAINABLE and self._on_terms(rest):
            return []
        sentence = gt.Sentence(0, len(ctx.norm), ctx.norm)
        if ctx.granted(demand.category, gt.normalise(demand.text)):
            return []
        violation = ctx.violation("unauthorized_promise", demand.category, sentence, start, end,
                                  lead=f"客户要求「{demand.text}」，回答「{text[start:end]}」等于答应了这个要求。")
        if violation is None:
            return []
        return [violation.model_copy(update={"span": text[start:end], "start": start, "end": end})]

    @staticmethod
    def _on_terms(rest: str) -> bool:
        """The reply grants the demand on its published terms or a condition ("可以的，七天内没拆封支持无理由退货",
        "能的，在价保期内都可以申请", "行，没开封七天内可以退"): it answers what the rules allow, not what staff
        grant. Certainty after it ("…七天内一定给您退") keeps it a promise (``published``)."""
        return published(rest) or bool(_ON_CONDITION.search(rest))

    @staticmethod
    def _assent_span(norm: str, demand: str, latest: str) -> tuple[int, int, bool] | None:
        """Consecutive assent tokens at the head of the reply: (start, end, all of them weak).

        Tokens may repeat ("对对对", "行吧行吧"). "能到。" after "这周能到账吗?" echoes the demand's own verb,
        and "开。" after "开不开?" answers the either-or question: both are assent too.
        """
        position = _FILLER.match(norm).end()  # type: ignore[union-attr]
        echo = _ECHO.match(norm, position)
        if echo and echo.group(1)[0] in demand:
            return position, echo.end(), False
        verb = norm[position:position + 1]
        if verb and verb in _BARE_VERBS and verb in demand and _BOUNDARY.match(norm, position + 1):
            return position, position + 1, False  # "换。" after "能给我换个新的吗?"
        either = _EITHER_OR.search(latest or demand)
        if either and norm.startswith(either.group(1), position) and _BOUNDARY.match(norm, position + 1):
            return position, position + 1, False
        if _WILL_QUESTION.search(latest or demand):
            denial = _DENIAL.match(norm, position)
            if denial and _BOUNDARY.match(norm, denial.end()):
                return position, denial.end(), False
        start, end, weak = None, None, True
        while (match := _ASSENT_CORE.match(norm, position)) is not None:
            token, stop = match.group(), match.end()
            while norm.startswith(token, stop):  # "对对对", "好啦好啦"
                stop += len(token)
            if not (_BOUNDARY.match(norm, stop) or _ASSENT_CORE.match(norm, stop)):
                break
            start = match.start() if start is None else start
            end = stop
            weak = weak and bool(_WEAK.match(token))
            position = _SEPARATOR.match(norm, end).end()  # type: ignore[union-attr]
        return None if start is None or end is None else (start, end, weak)
