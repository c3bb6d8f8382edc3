"""Forbidden service phrases (服务忌语): one small class per family, plus the policy's literal phrases.

The families and their better phrasing come from the corpus (001's 服务忌语 lists, 003's "按照我们的规定不能
办理；这不是我们的事；我不知道"). A phrase the customer is quoted as having heard is not the staff's own
phrase, so quotes and restatements are excused; negation is not (the phrases are themselves negative).
"""

from __future__ import annotations

import re
from typing import ClassVar

from coach.guard import text as gt
from coach.guard.base import GuardContext, Kind, Scope
from coach.guard.rules import SentenceRule, SplitPattern
from coach.guard.service import refusal_reasons
from coach.types import Violation

_PHRASE_SCOPES: frozenset[Scope] = frozenset({"quote", "restated"})
_END = r"(?=$|[,，。!?;~\s]|啊|呀|呢|嘛|的|哦|哈|了)"


class PhraseRule(SentenceRule):
    kind: ClassVar[Kind] = "forbidden_phrase"
    scopes = _PHRASE_SCOPES


class BlameRules(PhraseRule):
    rule = "phrase.blame_rules"
    category = "blame_rules"
    pattern = SplitPattern(
        r"(?:就是|本来就)这么规定的?|(?:这|那)(?:是|就是)(?:公司的?|我们的?|上面的?|银行的?|规定的?)?规定(?=$"
        r"|[,，。!?]|啊|呀|呢|嘛|没办法|我们也)"
        rf"|规定就是规定|(?:我们|我|小妹|这边)(?:也|真的?|实在|确实)?(?:是)?没(?:有)?办法{_END}|真(?:的)?没办法{_END}"
        rf"|我有什么办法"
        r"|(?:规定|制度|系统)(?:就是)?(?:这样|如此)(?:的)?[,，]?(?:没办法|我们也|你)|(?:你|您)自己看(?:一下)?规定"
        r"|按照我们的规定不能办理"
        r"|that's (?:just )?(?:the|our) (?:policy|rules?)(?=$|[.!,])|rules are rules|nothing (?:i|we) can do"
        rf"|(?:规矩|规则|规定|制度)(?:就|都)?(?:是)?(?:这样|这个样|如此)|都是这个(?:规矩|规定|规则)|(?:也|就|真"
        rf"|实在)?没(?:有)?办法{_END}"
        r"|没辙|能咋办|(?:我|我们)(?:一个[^,，。]{0,6})?能怎么办|有什么办法(?:呢)?(?=$|[?,，。!])"
        rf"|(?:也|真|实在)?没(?:法子|招|辙){_END}|规定懂(?:吗|不)|懂不懂规定|(?:制度|规定|规矩)(?:就|都)?(?:是)?这么(?:写|定|订)的"
        rf"|(?:是|都是)(?:总部|上面|上级|公司|领导|银行)(?:的)?规定的?{_END}"
        # the rule as a wall: "厂家定的规矩，我们也改不了", "我们也无能为力"
        r"|(?:规矩|规定|制度|政策|流程)[^。]{0,14}(?:改不了|没法改|动不了|变不了|无能为力)"
        rf"|(?:也|真的?|实在)?(?:无能为力|爱莫能助){_END}"
        # the rules thrown back: "你自己去看一下入网协议的规定吧", "上面写得清清楚楚"
        r"|(?:你|您)自己(?:去)?(?:看|读|翻|查)(?:一下|一看|看|清楚)?[^,，。]{0,8}(?:规定|条款|协议|合同|说明书?|须知|公告)"
        r"|写(?:得|的)(?:清清楚楚|明明白白|清清白白)"
        r"|(?:go |just )?read (?:the |your )?(?:terms|policy|contract|rules)(?: yourself)?"
    )
    # "规定是这样的，但我可以帮您问问有没有其他办法": the rule is explained and help is offered.
    _OFFER = re.compile(r"(?:但|不过)[^。]{0,6}(?:帮(?:您|你)|我可以|我来|看看有没有|想想办法|其他办法)")

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        # run 9: "订单只要被取消，就已经无法送货了，这是规定呢": the case's own reason is told with the rule
        # (service_phrases.yaml, refusal_reasons), in the reply or in staff's turn just before it
        if refusal_reasons().given(ctx):
            return []
        return super().check(text, ctx)

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return bool(self._OFFER.search(norm, end))


class PassTheBuck(PhraseRule):
    rule = "phrase.pass_the_buck"
    category = "pass_the_buck"
    pattern = SplitPattern(
        r"爱找谁找谁|有意见(?:就|你)?找(?:我们)?(?:经理|领导)"
        r"|(?:你|您)(?:就|还是|自己|直接|得)?(?:去)?找(?:我们)?(?:的)?(?:经理|领导|主管|上面|别人|xx部门|其他部门|相关部门"
        r"|厂家|商家|快递|银行|保险公司|客服|别的部门)"
        r"(?:去|吧|好了|说去|问去)"
        r"|(?:你|您)(?:自己)?(?:去)?(?:问|找)[^,，。]{1,8}(?:吧|去)(?=$|[,，。!])|跟我说(?:也)?(?:没(?:有)?用|白搭"
        r"|没意义)|我只(?:管|负责)(?!(?:帮|为|给)(?:您|你))"
        r"|有意见(?:就|你|您)*(?:去)?找(?:我们)?(?:的)?(?:店长|负责人|主管|经理|领导|总部|总公司|上级|厂家)|(?:我|我们)(?:就|只)是(?:办事"
        r"|卖货|打工|干活|具体操作|收银)的"
        r"|(?:你|您)(?:就|还是|自己|直接|得)?(?:去)?找(?:品牌方|厂家|厂商|供应商|商家|快递公司|快递|保险公司|别人|其他部门"
        r"|别的部门)(?=$|[,，。!])|(?:那"
        r"|这)是[^,，。]{1,8}(?:部门|公司|厂家|商家|快递|银行)的事"
        r"|take it up with|not me(?=$|[.!])"
        r"|(?:这|那)(?:个|件事)?(?:不归我(?:们)?管|不是我(?:们)?(?:的事|负责的?|管的|部门的)|不关我(?:们)?的事"
        r"|不是我们的事)|不(?:是|关)(?:我|我们)(?:这边|店里|柜台|部门)?的事|不归(?:我|我们)(?:这边|部门)?管"
        r"|(?:我们|我)(?:这边|这里|这儿|柜台|门店|店里|部门|客服)(?:处理|解决|管)不了"
        r"|(?:我|我们)(?:这边|柜台|门店|店里|部门|这里|这儿|前台|客服)只(?:管|负责)(?!(?:帮|为|给)(?:您|你))"
        r"|(?:你|您)(?:就|还是|得|只能)?自己(?:去)?(?:找|问|联系|打(?:电话)?给?)(?!也)[^,，。]{1,10}(?:吧|去|啊)?(?=$|[,，。!])"
        r"|我(?:也)?管不了|不归我管|别找我|我们是具体操作的|我们(?:无权|没有权限)(?:给(?:你|您))?处理(?:这个事)?"
        r"|(?:you'll have to|go) (?:ask|talk to|take it up with) (?:someone else|another department|the manager"
        r"|your bank)"
        r"|not my (?:department|job|problem|responsibility)|nothing to do with (?:me|us)"
        r"|说了?也白说|(?:我|我们)(?:又|也)?不管(?:这块|这个|这事|这些)|(?:我们|我)(?:这边)?管不了"
        r"|的(?:问题|事)(?:就|你|您)?(?:去)?找[^,，。\s]{1,8}(?:啊|吧|去)"
    )

    # "您自己去找也行，我也可以帮您联系厂家": the customer is not left alone with it.
    _OFFER = re.compile(
        r"(?:我|我们)(?:也|来|可以|这就|马上|现在)*(?:帮|替|给)(?:您|你)(?:联系|转|问|找|请|约|反映)"
    )

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return bool(self._OFFER.search(norm))


class Dismissive(PhraseRule):
    rule = "phrase.dismissive"
    category = "dismissive"
    pattern = SplitPattern(
        r"(?:这么|这)(?:点|么点)?(?:小)?(?:问题|事|小事)[,，]?(?:又|也)?(?:没|不)(?:有)?(?:影响|什么|至于)"
        r"|又没(?:有)?(?:影响|耽误|损失|伤着|碍着)(?:到)?(?:您|你)?(?:什么|啥|多少)|(?:您|你)(?:就|也|只能)?(?:认了|认命|认栽"
        r"|忍忍|将就(?:一下)?)吧"
        r"|没(?:有)?什么大不了|有什么大不了|又没有影响什么|至于(?:吗|嘛|这么)|有(?:什么|啥)(?:好)?(?:生气|激动|吵|闹|投诉"
        r"|计较|气|急|哭|喊)的"
        r"|(?:发脾气|生气|吵|闹|嚷嚷|喊|哭)[^,，。]{0,2}(?:有什么用|有啥用|也没用|没用)|(?:这|那)(?:都|也)不懂|常识(?:都|也)?不(?:懂"
        r"|知道)|小题大做|无理取闹"
        r"|(?:it's|it is|that's) (?:not a big deal|no big deal)|calm down|what's the big deal|overreact"
        r"|what the big deal is|not the end of the world|getting (?:all )?worked up"
        r"|随便(?:你|您)|爱(?:上|去)哪|随(?:你|您)(?:便)?(?=$|[,，。!])|(?:想|爱)去哪(?:里)?(?:告|投诉)|就(?:您"
        r"|你)事(?:儿)?多|事儿?(?:真|太)?多|别瞎说"
        r"|瞎说什么"
        r"|(?:complain|go) (?:wherever|anywhere) you (?:like|want)|won't change anything|whatever you want"
        r"|爱([\u4e00-\u9fff]{1,2})就\1|随便(?:吧)?(?=$|[。!])|犯得着|(?:也|就)?值得(?:打电话|这么|发火|跑一趟|来骂|闹)"
        r"|(?:这|那)(?:点|么点)(?:小)?(?:事|钱)(?:也|都|还)|犯不着|较真|多大(?:点|的)?事|上纲上线|至于这么"
        r"|没必要(?:这么|那么)(?:激动|生气|较真|计较|紧张|大惊小怪)|大惊小怪"
        r"|(?:不就|就差)(?:是|个|了)?[^,，。]{0,6}(?:块钱|毛钱|块|分钱|点钱|小事)(?:的事|的价格|的差价)?(?:嘛|吗|呗|而已)"
        r"|(?:make|making) (?:a |such a )?(?:fuss|scene)|(?:such a|a) big deal (?:out of|about)|happens all the time"
        r"|(?:it's|it is|that's) (?:just |only )?a (?:tiny|little|small|minor) (?:bit|thing|issue|problem)"
        r"|(?:是|那是)(?:你|您)自己[^,，。]{0,6}(?:不行|问题|不会|没看|不小心"
        r"|的事)"
    )


class RefuseService(PhraseRule):
    rule = "phrase.refuse_service"
    category = "refuse_service"
    pattern = SplitPattern(
        r"(?:下班|关门|下线|关机|关闭)了?[^。]{0,8}(?:明天|改天|下次|明早|后天)(?:再)?(?:来|办)"
        r"|(?:明天|改天|下次)再(?:来|办)吧|电脑(?:已经)?(?:关(?:闭|了)|关机)(?:了)?[,，]?(?:不能办|办不了)"
        r"|今天(?:已经)?不(?:办理?|受理)了"
        r"|办不了(?=$|[!。,，\s]|你|啊|了)|不办了|停办了|别排了|到点了|都几点了|明天再说吧|(?:明天|改天|下次|下午|明儿)(?:再|在)"
        r"(?:来|办|说)吧|午休了|明天吧(?=$|[。!])|(?:都|已经)关了|今天(?:已经)?不(?:接|办|受理"
        r"|收)(?:车|件|单)?了|(?:下班|交班|关门|打烊"
        r"|收工)了?[^。]{0,10}(?:明天|改天|下次)"
        r"|(?:今天|今儿|现在|这会儿)[^,，。]{0,4}不(?:办|弄|做|搞|处理|受理|接待|接|收|退|换)了"
        r"|(?:不接|不办|不收)[^,，。]{0,3}了[,，]?(?:我们)?(?:要|快|已经)?(?:下班|交班|关门)|(?:we're|we are) closing"
        r"|come back tomorrow"
        r"|(?:不|没)(?:空|时间)(?:给|帮|理)(?:你|您)|我们不(?:接待|受理)"
        r"|you'll have to come back (?:tomorrow|later)|we're closed|(?:i|we) (?:can't|cannot|won't) (?:help"
        r"|serve) you(?=$|[.!])"
    )
    _REASON = re.compile(r"因为|由于|需要|建议|您可以|请您到|麻烦您|帮您|为您|带上|携带")
    # "今天不办了也没关系，您明天有空再来": the customer's choice, not a refusal.
    _CHOICE = re.compile(r"[^,，。]{0,2}也(?:没关系|行|可以|没事|不要紧)")

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return bool(self._REASON.search(norm) or self._CHOICE.match(norm, end))


class Ignorance(PhraseRule):
    rule = "phrase.ignorance"
    category = "ignorance"
    pattern = SplitPattern(
        r"(?<![看听写说讲弄搞您你得])(?:不知道|不清楚|不太清楚|不了解|不晓得|没听说过)(?!的地方|之处|可以|请|的话)"
        # run 9: "暂时不知道您的问题我是否为您解决完毕": asking after the customer, not ignorance of an answer
        r"(?![^,，。]{0,14}是否)"
        r"|i (?:don't|do not) know|no idea|i'm not sure|(?:i|we) have no clue"
    )
    _OFFER = re.compile(
        r"(?:帮|为|给|替)(?:您|你)(?:查|问|核实|确认|了解|咨询|联系|反馈|请示)|我(?:去|来|再|马上|这就|先)?(?:查|问"
        r"|核实|确认|了解|咨询|请示|联系)"
        r"|稍等|核实一下|确认一下|了解一下|回复(?:您|你)|答复(?:您|你)|反馈|回电|let me (?:check|find out|ask)"
        r"|i'll (?:check|find out|ask)"
    )
    _SUBJECT = re.compile(r"(?:您|你|客户|他|她)(?:也|可能|如果|要是|还)?$")

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        if self._OFFER.search(ctx.norm):  # an offer to find out anywhere in the reply makes it fine
            return []
        return super().check(text, ctx)

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return bool(self._SUBJECT.search(norm[max(0, start - 4):start]))


class Impatience(PhraseRule):
    rule = "phrase.impatience"
    category = "impatience"
    pattern = SplitPattern(
        r"没看(?:到|见)我(?:正)?(?:在)?忙(?:着)?(?:吗|呢)|(?<![别不])着什么急|(?<![别不用])急(?:什么|啥)|急有什么用"
        r"|催(?:什么|啥)|坐着等(?:会儿|一会|着)吧"
        r"|(?<![请您])先填单|(?:重填|重新填)(?=$|[!。,])|好好看(?:一下|看)?(?:怎么填|清楚)"
        r"|(?:说|讲|告诉(?:你|您)|解释)(?:了|过)?(?:多少|好?几)遍|(?<![您你])(?:说|讲|告诉(?:你|您)|解释)(?:了|过)[\d一二两三四五六七八九十]+遍"
        r"|(?:你|您)?(?:怎么|咋)(?:还|就)?(?:是)?(?:不明白|听不懂|不懂|没听懂|不理解)(?=$|[?？,，。!啊呢呀])|不是(?:已经|都)?(?:说|讲|告诉(?:你|您))(?:过)?了吗|听不懂(?:吗|啊)"
        r"|(?:你|您)自己(?:去)?看(?:吧|啊|去)?(?=$|[!。])|等着(?:吧|就行)|别(?:催|吵)了|烦不烦"
        r"|(?:i|i've) already (?:told|explained)|how many times|just wait|hurry up|stop (?:calling|bothering)"
        r"|没看(?:到|见)(?:后面|这么多|那么多)|排队去|can't you see|别催(?!您|你)"
        r"|没看(?:到|见)?(?:我|我们)(?:这儿|这里|这边|这|手上|手里|手头)?(?:正|都)?(?:在)?忙|(?<![请您稍])等着(?=$|[!。])"
        r"|别老(?:过来|来|打电话|打来)?(?:问|催)|问(?:了)?第?[\d一二两三四五六七八九十几]+遍"
        r"|问了?(?:好几|多少|几)遍|看清楚(?:了)?再(?:问|来|说|打)|先?坐(?:着|那|那儿|一边)等(?:会儿|一会儿?|着)"
        r"|i've got (?:\w+ )?other customers|get to you when i get to you|can you just (?:hold on|wait)|wait your turn"
        r"|i'm busy|说个啥|说什么说|快点说|说重点|(?:你|您)能不能快点|填好了?再(?:来|过来)"
    )

    # "请您先坐着等一会儿" is polite; "先坐着等会儿" thrown at the customer is not.
    _POLITE = re.compile(r"(?:请|麻烦|您)[^,，。]{0,1}$")

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return norm[start:end].startswith(("先坐", "坐")) and bool(self._POLITE.search(norm, 0, start))


class BareQuestionMark(PhraseRule):
    """A reply that is nothing but a question mark ("?", "？？") thrown back at the customer: impatience in chat
    (run 6: a bare "?" to "我个人什么原因呀" on real JD.com chat). It has no sentence to match, so the whole reply
    is read; a question mark after words ("在吗?") is an ordinary question."""

    rule = "phrase.impatience.bare_question"
    category = "impatience"
    _BARE = re.compile(r"^[\s?？.。!！~]*[?？][\s?？.。!！~]*$")

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        if not self._BARE.match(text) or ctx.sentences:
            return []
        start = text.find("?") if "?" in text else text.find("？")
        sentence = gt.Sentence(0, len(ctx.norm), ctx.norm)
        violation = ctx.violation(self.kind, self.category, sentence, 0, len(ctx.norm))
        if violation is None:
            return []
        return [violation.model_copy(update={"span": text.strip(), "start": start, "end": start + len(text.strip())})]


PHRASE_RULES: tuple[type[SentenceRule], ...] = (
    BlameRules, PassTheBuck, Dismissive, RefuseService, Ignorance, Impatience, BareQuestionMark,
)


class LiteralPhrases(SentenceRule):
    """A family's ``phrases`` from the policy, matched ignoring punctuation and spaces; XX = any short text."""

    kind: ClassVar[Kind] = "forbidden_phrase"

    def __init__(self, family: str, phrases: list[str]) -> None:
        self.category = family  # type: ignore[misc]
        self.rule = f"phrase.{family}.literal"  # type: ignore[misc]
        parts = [re.escape(gt.compact_text(p)).replace("xx", ".{1,12}") for p in phrases if gt.compact_text(p)]
        self._compiled = re.compile("|".join(parts)) if parts else None

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        found: list[Violation] = []
        if self._compiled is None:
            return found
        for sentence in ctx.sentences:
            squeezed, index = sentence.squeezed, sentence.index
            match = self._compiled.search(squeezed)
            if match is None or ctx.in_quote(sentence.at(index[match.start()])):
                continue
            start, end = index[match.start()], index[match.end() - 1] + 1
            violation = ctx.violation(self.kind, self.category, sentence, start, end)
            if violation:
                found.append(violation)
        return found
