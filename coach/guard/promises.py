"""Unauthorised-promise rules: one small class per forbidden commitment category.

Every rule matches on the normalised copy of a sentence (simplified, half-width, lower-case), then asks
the scope checks whether the match is really a commitment: not negated, not quoted, not a restatement
of the customer's demand, not conditional on verification, not hedged, not an explanation of policy.
Rules only report; nothing here changes the text.
"""

from __future__ import annotations

import re

from coach.guard import text as gt
from coach.guard.base import GuardContext
from coach.guard.rules import SentenceRule, SplitPattern
from coach.types import Violation

YOU = r"(?:您|你|客户|亲)"
GIVE = r"(?:给|为|帮|替|向)"
# Certainty, in all its chat forms: 保准, 准保, 铁定, 百分百, 一准.
SURE = r"(?:一定|肯定|保证|绝对|保准|准保|铁定|百分之?百|100%|一准|指定)"
NUM = r"[\d一二两三四五六七八九十百千万半几]+"
# What a gift or a goodwill payment is called: vouchers, coupons, samples, cash gifts ("返一张50元无门槛券",
# "送套试用装", "一万块的慰问金").
GIFT = (r"(?:代金券|优惠券|无门槛券|抵用券|抵扣券|体验券|券|礼品卡|购物卡|储值卡|礼品|礼物|礼包|礼盒|小样|试用装"
        r"|试用品|样品"
        r"|赠品|纪念品|红包|积分|话费|流量|京豆|慰问金|慰问品|抚慰金|补偿金|营养费|误工费|精神(?:损失)?费|gift cards?)")
# English certainty before a passive outcome: "will definitely be unblocked", not "will definitely be in touch".
EN_SURE = r"(?:definitely|certainly|surely|absolutely|for sure|100%)"
EN_NOT_OUTCOME = r"(?!in touch|contacted|called|informed|notified|updated|kept|able|happy|glad|sure)"
# Fees a frontline reply may not waive, reduce or pay for ("罚息我给您抹了", "拖车费全给您报了").
FEE = (r"(?:手续费|年费|利息|罚息|滞纳金|违约金|服务费|维修费|工时费|月租|运费|检测费|管理费|保费|拖车费|打车费|挂号费"
       r"|药费|租金|会费|套餐费|月费|差价|押金)")



_PROCESS_BEFORE = re.compile(r"(?:申请|提交|反馈|上报|争取|催|转|问问|咨询|核实|登记|记录|备注|预约"
                                  r"|报备)[^,，]{0,4}$")


def _process_before(norm: str, start: int) -> bool:
    """"帮您申请退款", "帮您催一下退款": the commitment is to a process, not to the outcome."""
    return bool(_PROCESS_BEFORE.search(norm[gt.clause_start(norm, start):start]))


class Compensation(SentenceRule):
    rule = "promise.compensation"
    category = "compensation"
    published_excuses = True  # "PLUS会员享受…免运费": a published benefit
    pattern = SplitPattern(
        rf"(?:会|能|可以|就|{SURE}|马上|立即|直接|额外|再|都)(?:{GIVE}{YOU}?)?(?:一些|一定的?|适当的?|相应的?"
        rf"|{NUM}\s*(?:元|块)的?)?"
        r"(?:赔偿|补偿|赔付|补贴|赔|补给|补上|补回|返还)"
        rf"|{GIVE}{YOU}(?:一些|一点|一定的?|适当的?|相应的?|{NUM}\s*(?:元|块)的?)?(?:赔偿|补偿|赔付|补贴|赔|补(?:差价"
        rf"|上|回|发|偿)?|慰问金|抚慰金|补偿金|营养费|误工费|精神(?:损失)?费)"
        rf"|(?:赔|补|返|赔偿|补偿|补贴|赔付)(?:给)?{YOU}(?!们)|返现|补差价"
        # an amount settled as a goodwill payment: "我先给您定三千元的补偿", "批您两千块赔偿"
        rf"|(?:定|批|申请下来|安排|算|出|拿|补|赔)(?:{GIVE}?{YOU})?(?:个|一个)?{NUM}\s*(?:元|块|万)(?:钱|块)?的?(?:补偿|赔偿"
        rf"|赔付|慰问|补贴)"
        r"|免(?:了|掉|除|收)?(?:您|你)?(?:的)?(?:这|那)?(?:个|次|笔|期|一年|一个月)?(?:的)?"
        r"(?:手续费|年费|利息|罚息|滞纳金|违约金|服务费|维修费|工时费|月租|费用|运费|检测费|管理费|这笔钱)"
        rf"|减免|{GIVE}{YOU}免|(?:我|我们)?做主(?:给{YOU})?免|不收{YOU}?(?:的)?(?:钱|费|手续费|利息|罚息|违约金|运费)"
        rf"|费用(?:全)?(?:免了|我们(?:来)?(?:出|承担)|不用{YOU}?(?:出|付|交))|(?:我们|公司)(?:来)?(?:承担|报销"
        rf"|负担)(?:这笔|全部|所有)?(?:费用|损失|钱)"
        rf"|利息(?:我们|也|照样)?(?:给{YOU})?(?:照|补|赔|付|算)"
        rf"|(?:给|送){YOU}(?:一张|一份|一个|个|一些|点|些|张|份)?(?:{NUM}\s*(?:元|块)?的?)?"
        r"(?:代金券|优惠券|礼品|礼物|话费|积分|红包|京豆|会员|赠品|小礼品|购物卡|抵用券|流量|储值卡|券|保养|油卡"
        r"|洗车)"
        rf"|送{YOU}|赠送|白送|白给|免单|全免|(?:我|我们)请(?:客|{YOU}(?:吃|喝))|(?:随便|任)(?:挑|选|拿)(?:一|两|几)"
        rf"|(?:全|都)?{GIVE}{YOU}(?:把[^,，。]{{0,6}})?(?:全|都)?(?:免(?!责|检)|抹(?:了|掉|平)|减(?:免|半|一半|掉|了)"
        rf"|报(?:了|销|掉))"
        rf"|{FEE}(?:这(?:个|块|笔|期|一期)|这个月|这一期|这次)?(?:我们|我)?(?:这边)?(?:就|都|也)?(?:{GIVE}{YOU})?(?:全|都)?"
        r"(?:抹|免|减|不收|不用(?:交|付|出))"
        rf"|(?:都|全)?算(?:我们|我|公司|店里)(?:的|头上|账上)(?=$|[,，。!\s了哈])|给{YOU}转(?:账|钱)?(?=$|[,，。!\s哈])"
        rf"|(?:还|仍|照样|依然|还是)按{NUM}\s*(?:元|块)?(?:收|算)"
        rf"|免费{GIVE}?{YOU}?(?:升级|更换|换|维修|修|保养|送|补发|安装|重做|延保|延长)"
        rf"|打(?:个)?[\d一二两三四五六七八九]+折|{GIVE}{YOU}打折"
        r"|(?:we|i)(?:'ll| will| can| shall| would)?(?: definitely| also)? (?:compensate|reimburse|waive"
        r"|cover (?:the|your) (?:cost|fee|loss)"
        r"|give you (?:a |an |some )?(?:voucher|coupon|credit|gift|discount|\$?\d+|compensation|free))"
        r"|free of charge|on the house|compensation of|(?:it's|it is) on us|my treat|throw in|free gift"
        rf"|{GIVE}{YOU}(?:送|赠)(?!检|修|到|达|过|去|来|回|货)|(?:送|加|赠|补|发|返|充(?!值))(?:{YOU})?[一两几\d]?(?:张|份|套|个|瓶"
        rf"|箱|盒|件|次|支)?[^,，。]{{0,8}}{GIFT}"
        rf"|(?:我们|公司|店里|我)(?:全部|全|都|来)?(?:给{YOU})?(?:来)?(?:承担|报销|负担|买单|出了)"
        r"|(?:put|add|apply) (?:a |an )?\$?\d*\s*(?:credit|refund|discount|voucher)"
        r"|(?:i've|i have|we've|we have) (?:already )?(?:waived|credited|covered|added)|waived (?:it|the|your)"
        r"|added \d+ (?:bonus )?(?:points|credit)|bonus points|(?:points|credit) to your account"
        # "we'll cancel the late fee and add a 200-yuan gift card", "everyone affected will be compensated"
        r"|(?:we|i)(?:'ll| will| can| shall|'d| would|'m going to| am going to)?(?: just| also| gladly| quietly"
        r"| personally| happily)? (?:cancel|waive|drop|remove|reverse|write off|wipe|scrap|knock off|take off)(?: the"
        r"| your| this| that| any| all)?(?: [\w-]+){0,2} (?:fees?|charges?|fines?|penalty|penalties|interest"
        r"|premiums?)\b"
        r"|(?<!you )(?<!you can )(?:add|give you|send you|issue|offer you|throw in)(?: a| an| some)?(?: [\w-]+){0,2}"
        r" (?:gift cards?|vouchers?|coupons?|store credit|bonus points)"
        r"|(?:will|'ll|are going to|is going to) (?:\w+ )?be (?:fully |properly |generously )?compensated"
        r"|(?:you'll|you will) (?:\w+ )?(?:get|receive|have) (?:a |an |some )?(?:[\w-]+ ){0,2}(?:gift cards?|vouchers?"
        r"|coupons?|store credit|bonus points|compensation)"
        # "这张券您拿着": handing the gift over
        rf"|{GIFT}[^,，。]{{0,3}}{YOU}(?:先)?(?:拿着|收着|收下|留着)"
        # "给您开一张1000块的维修代金券", "I'll credit 800 yuan to your account"
        rf"|{GIVE}{YOU}(?:开|办|出)(?:一|两|几|\d)?(?:张|份|套|个)?[^,，。]{{0,8}}{GIFT}"
        r"|(?:i'll|i will|we'll|we will|i can|we can|i'm gonna|i am going to|we're going to)(?: just| also)?"
        r" credit (?:you "
        r"|your account )?(?:with )?(?:\$|¥|rmb ?)?\d+"
    )

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return (_process_before(norm, start) or bool(_THIRD_PARTY.search(norm, max(0, start - 8), start))
                or bool(_APOLOGY_IDIOM.search(norm, start, end + 4)))  # "给您赔个不是": an apology


_APOLOGY_IDIOM = re.compile(r"赔(?:个|了)?(?:不是|礼)")
# "商家补偿您运费": someone else pays, the reply reports it (the company's own promise stays "我们补偿您").
_THIRD_PARTY = re.compile(
    r"(?:商家|厂家|厂商|卖家|店家|快递公司|物流公司|快递|保险公司|承运方|第三方|对方)(?:那边)?"
    r"(?:会|将|也|可以|就)?$")


class RefundOutcome(SentenceRule):
    rule = "promise.refund_outcome"
    category = "refund_outcome"
    pattern = SplitPattern(
        rf"{GIVE}{YOU}(?:全额|全部|马上|立即|直接|现在|今天|强制)?(?:办理?)?(?:全额)?退(?!出|休|换|订)"
        rf"|(?:{SURE}|马上|立即|立刻|直接|现在就|今天就|可以|能|会|就|都)(?:给(?:您|你))?(?:全额|全部"
        r"|全)?"
        r"(?:退款|退保|退钱|退费|退还|退回|退给|退)(?!出|休|换|订|一步)"
        r"|全额(?:退|返还|赔|退还)|全(?:数|部)?退(?:还|回|给)?(?!出|休|换|订|一步)|强制退"
        r"|(?:退款|退保|退货|退掉|退了)(?:肯定|一定)?没(?:有)?问题|(?:钱|款|本金|损失|保费|费用)(?:一分"
        r"|一分钱|一毛)?(?:都|也)?不会(?:少|损失|亏)"
        rf"|一分(?:钱)?(?:都|也)?不(?:会)?(?:少|亏)|不会让{YOU}(?:吃亏|损失|白花)"
        r"|(?:钱|款|本金|保费)(?:肯定|一定|保证)?(?:能|会|可以)?(?:全部|全)?(?:退|拿|要)(?:得)?回来"
        rf"|(?:全|都)(?:给{YOU})?(?:拿|要|退|追)回|全数退|全额refund|refund给"
        rf"|(?:钱|款|保费|本金|费用|{NUM}\s*(?:元|块)?)[^,，。]{{0,8}}(?:打回|退回|返回|返还|拿回|要回|退还|还给{YOU})"
        r"|every (?:cent|penny)|the full amount|money(?:'s| is) coming back"
        r"|(?:goes|go|comes|come|coming) (?:straight )?back to your (?:card|account)"
        r"|(?:we|i)(?:'ll| will| can| shall)?(?: definitely| certainly)? (?:refund|give you (?:a "
        r"|your )?(?:full )?refund|return your money)"
        r"|(?:you'll|you will)(?: definitely| certainly)? (?:get|receive) (?:a |your |all your )?(?:full )?(?:refund"
        r"|money back)"
        r"|(?:you're|you are) (?:getting|gonna get|going to get) (?:a |your |all your |the )?(?:full )?(?:refund|money"
        r" back)|full (?:premium|amount|price|payment) (?:returned|back|refunded|paid back)"
        # "I'm sure that 300-yuan roaming charge will be refunded in full"
        rf"|(?:will|'ll|is going to|are going to) (?:{EN_SURE} )?(?:be |get )(?:fully |completely )?(?:refunded"
        r"|reimbursed|paid back|credited back|returned to you)|refunded in full"
        r"|full refund|把(?:钱|款|费用|保费|本金|货款)[^,，。]{0,4}(?:全额)?退(?:给|还|回|了|掉|喽|啦)"
        r"|退到(?:您|你)的?(?:账户|卡|账上)"
        r"|(?:退款|退保|退费|钱|本金|款)[^,，。]{0,8}(?:保证|一定|肯定|全部|全额|如数|原数"
        r"|一分不少)[^,，。]{0,4}(?:给|退|还)"
    )

    published_excuses = True  # "款项原路返还88888-88888个工作日": the published refund window

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return _process_before(norm, start)


_EFFORT = (
    r"(?:尽力|努力|全力|尽快|尽最大|竭尽|竭诚|尽心|认真|会把|跟进|反馈|转|记录|记下|如实|写进|反映|联系|回电|答复|告诉"
    r"|帮您(?:问|查|催)|申请|记(?:进|上|下|录|好|清楚)|原原本本|一字不落|一个字都不落|转达|传达|带到|汇报)"
)


class GuaranteedOutcome(SentenceRule):
    rule = "promise.guaranteed_outcome"
    category = "guaranteed_outcome"
    pattern = SplitPattern(
        r"(?:保证|肯定|一定|绝对|百分之百|百分百|100%|保准|包(?:您|你)|铁定|准保)"
        rf"(?:会|能|可以|是|都|给{YOU}|帮{YOU}|为{YOU}|让{YOU}|把)*(?:这个|这事|问题)?"
        rf"{YOU}?(?:解决(?:好|掉)?|办好|办成|搞定|处理好|批(?:下来|准)?|通过|成功|满意|拿到|赔下来|恢复|修好|到账"
        rf"|收到|送到|到达|能到|赔|退"
        rf"|支持{YOU}?的?(?:诉求|要求)|同意|批准|对{YOU}有利|偏向{YOU}"
        rf"|退下来|给{YOU}?(?:一个)?(?:满意的)?(?:结果|说法|交代)|有结果|完好|不会(?:有|出)(?:问题|事)|没(?:有)?问题"
        rf"|赢|胜诉|过(?!来|去|程|期|一下)|成(?!本|功率)|没事|办下来|按[^,，。]{{1,6}}算"
        # a decision foretold: "一定判您赢", "一定会被推翻", "肯定站在您这边"
        rf"|判{YOU}?(?:赢|胜)|站在{YOU}(?:这|那)?一?边|向着{YOU}|(?:被)?(?:推翻|撤销|改判|纠正过来|翻案))"
        rf"|(?:都|全)能(?:给|帮|为){YOU}解决|保证(?:商品|产品|质量|您)?的?(?:新鲜|质量|安全|正品)"
        r"|(?:就|只管|安心)等着?(?:好消息|拿钱|收钱|收款|到账)|包在我身上|交给我(?:吧)?(?:[,，]?(?:保证|肯定|放心))|(?:我|我们)(?:这边|这儿)?(?:来|能|可以|就)?(?:做(?:这个)?主|说了算|拍(?:这个)?板)(?!.{0,2}(?:不|没))"
        r"|走(?:个|一下)?(?:形式|过场|流程)|十拿九稳|板上钉钉|稳了|妥妥的?|没跑|放一百个心|打包票|我敢保证|我担保"
        r"|稳(?:过|拿|批|赢)|没悬念|迟早的事|跑不了|拍胸脯|说到做到|打(?:过|了)?(?:个)?招呼|上面(?:我|有人)(?:熟|认识)"
        # "换新车是一定的"
        rf"|(?<!不)(?:换|退|赔|批|修|解决|到账|通过)[\u4e00-\u9fff]{{0,4}}是(?:一定|肯定|必然|铁定)的"
        r"|(?:通过|批|过|成功|到账|赔)[^,，。]{0,2}(?:是)?(?:100%|百分之?百)|(?:交|递|提)上去(?:就|肯定)?能(?:成|过|批)"
        rf"|(?:办|批|弄|搞)下来(?!需|要)"
        rf"|我(?:可以|能|敢)?(?:跟|向)?{YOU}?保证(?!.{{0,24}}{_EFFORT})|we guarantee"
        # a verification's result foretold: "鉴定结果肯定是质量问题", "结果一定会判定是产品的问题"
        rf"|(?:鉴定|检测|审核|调查|核实|检查|复核|评估)(?:的)?(?:结果|结论|报告)?(?:出来)?[^,，。]{{0,4}}{SURE}(?:会)?(?:是|判|认定"
        rf"|定|算|过|出|没问题)"
        rf"|{SURE}(?:会)?(?:被)?(?:判定|认定|鉴定为|定性为?|定为|判成|判为|算成|算作)"
        r"|(?:definitely|certainly|100%|surely|for sure)(?:,)? (?:gonna|going to) (?:come back|be|go through|pass|get"
        r"|work|win)|(?:you're|you are|you'll be) (?:fully |totally |100% )?covered (?:for sure|100%|no matter what)"
        r"|(?:you're|you are|you'll be) (?:definitely|certainly|100%) covered"
        r"|i (?:promise|guarantee)(?!.{0,20}(?:pass|forward|log|record|call|update|keep you|look into|try|do my best"
        r"|follow up))"
        r"|(?:it's|it is|that's) (?:guaranteed|a done deal)|(?:is|'s) (?:just |only |merely )?a formality"
        r"|as good as (?:paid|done|approved)"
        r"|(?:definitely|certainly|100%|surely) (?:be )?(?:approved|resolved|fixed|sorted|succeed|work out)"
        r"|leave it to me|consider it done|you have my word|nothing to worry about|done deal|just paperwork"
        # "consider your mortgage approved", "I'm sure it will go through", "will definitely be approved"
        r"|consider (?:it|this|that|your [\w' -]{1,25}?) (?:approved|done|sorted|fixed|granted|paid|settled|waived"
        r"|refunded|handled)"
        rf"|(?:i'm|i am|we're|we are) (?:sure|certain|confident|positive)(?: that)?[^.;]{{0,50}}?(?:will|'ll) (?:be "
        rf"{EN_NOT_OUTCOME}\w+(?:ed|en)\b|go through|win|succeed|work out|go (?:your way|in your favou?r))"
        rf"|(?:will|'ll) {EN_SURE} be {EN_NOT_OUTCOME}\w+(?:ed|en)\b"
        rf"|(?:will|'ll) {EN_SURE} (?:be )?(?:pay(?:ing)? out|paying|covering|approving|refunding)"
        r"|(?:will|'ll) make sure[^.;]{0,40}?(?:is|are|gets?|will be|be) (?:removed|waived|refunded|approved|cancell?ed"
        r"|reversed|paid|credited|dropped)"
        r"|(?:will|'ll) (?:definitely |certainly |surely )?(?:be )?(?:overturned|reversed|rule in your favou?r"
        r"|side with you)|(?:you'll|you will) (?:definitely |certainly |surely )?win\b"
        # "the claim will go through," is an outcome; "I will go through the claim with you" is a walk-through.
        r"|(?:will|'ll) (?:definitely |certainly |surely )?(?:go through(?=$|[.,!;]| (?:without|smoothly|fine|for sure"
        r"|no problem|easily))|be approved|get approved)"
    )
    scopes = frozenset({"negation", "quote", "restated", "conditional", "hedge"})


# An English day or hour named as when it happens ("this afternoon", "end of day", "5pm"), read wherever "tomorrow" is.
_EN_WHEN = (r"today|tonight|tomorrow|this (?:morning|afternoon|evening|week)|(?:the )?end of (?:the )?(?:day|week)"
            r"|(?:by|before|at|until) \d{1,2}(?::\d\d)? ?(?:am|pm)\b")
_TIME = (
    rf"(?:今天|今日|今晚|今儿|明天|明早|明儿|后天|马上|立刻|立即|当天|当场|本周|这周|下周|周[一二三四五六日末]|一早"
    rf"|到时候|到那时|届时"
    rf"|下班前|下个?(?:账单日|还款日|月)"
    rf"|星期[一二三四五六日天]|月底|月初|年底"
    rf"|{NUM}\s*月\s*{NUM}\s*(?:日|号)"  # a whole date, so "已于8月18日收到" reads its 已 just before it
    rf"|{NUM}\s*(?:个)?(?:小时|分钟|天|日|工作日|周|星期|号|点(?![心儿小东意点礼]))"
    rf"|{_EN_WHEN}|right away|immediately"
    r"|by (?:monday|tuesday|wednesday|thursday|friday|the end of)|within (?:\d+|one|two|three|a few) (?:hours?|days?"
    r"|business days?)|within the hour)"
)
_OUTCOME = (
    rf"(?:到账|退(?:款|回|到|给|还)?|赔|解决|处理(?:完|好|妥)|办(?:好|完|妥|下来)|(?:有|出)(?:个)?结果"
    rf"|给{YOU}?(?:一个)?(?:满意的?)?(?:处理)?(?:结果|说法|交代)|满意的?(?:答复|结果|处理|方案|交代)"
    r"|批(?:下来|准|复)|审(?:核)?(?:通过|过)|送(?:到|达)|到货|收到|到达|能到|修好|恢复|补发|发货|配送|上门(?!检测|查看|勘察|测量|看看|核实|了解)|拿到|完成"
    r"|解冻|开通|激活|修复|换好|装好|装上|弄好|搞好|搞定|弄完|办妥|出来|寄到|能提(?!交|出|醒|供|前)|送(?:过去|过来|来|去)|打到"
    r"|到(?:您|你)?的?(?:账上|卡里|卡上|账户|手上|手里)|到(?=$|[,，。了\s哈哦啦的])|解封|解锁|定下来|到位"
    r"|approved|refunded|resolved"
    r"|fixed|credited|delivered|arrive|in your account|get your money|ready)"
)
_CONTACT = re.compile(r"联系|回电|(?<!满意的)(?<!满意)答复|回复|致电|电话|反馈|通知|跟进|告知|短信|申请|提交|催"
                           r"|预约|安排|核实|查|检测|勘察"
                           r"|测量|看看|工单|派单"
                           r"|转(?:交|给|到)(?!您|你)|forward|submit|escalat|pass (?:it|your)|log|look into|check|send"
                           r"|问(?!题)|备注|contact|call|update|in touch|get back to|reach out"
                           r"|e-?mail|follow(?:ing)?[ -]up|keep you posted")


class Deadline(SentenceRule):
    rule = "promise.deadline"
    category = "deadline"
    pattern = SplitPattern(
        rf"{_TIME}(?:之内|以内|内|之前|以前|前)?[^。;]{{0,14}}?{_OUTCOME}"
        rf"|(?:退款|钱|款|赔款|货|快递|包裹|结果|车|手机|网络|信号)[^,，。]{{0,6}}{_TIME}[^,，。]{{0,4}}(?:到|好|出来"
        rf"|下来|到账|修好|恢复)"
        rf"|{_TIME}(?:之前|以前|前|以内|之内|内)?(?:是|都|肯定|一定)?(?:可以|能|没问题)的?(?=$|[,，。!哦呢哈啦])"
        r"|(?:you'll|you will|it will|it'll|we will|we'll|will be)(?: definitely| certainly)? (?:have|get|receive"
        rf"|be)[^.]{{0,30}}(?:{_EN_WHEN}|by (?!(?:text|sms|e-?mail|mail|post|phone|message|courier|letter|app|hand"
        r"|the (?:app|branch|bank|team|way))\b)|within )"
        rf"|\b(?:will|'ll)\b[^.,]{{0,40}}?\b(?:by (?:noon|monday|tuesday|wednesday|thursday|friday"
        r"|the end|then)|within (?:the|an|one|two|\d+|a few) ?(?:hours?|days?|business days?|working days?)"
        rf"|{_EN_WHEN})"
        # "we'll call you within three working days, and by then your card will definitely be unblocked"
        r"|\bby then\b[^.;]{0,40}?\b(?:will|'ll)\b"
    )

    resume_at_next_clause = True
    published_excuses = True

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return (bool(_CONTACT.search(norm[start:end])) or _process_before(norm, start)
                or _vague_time(norm, start, end) or bool(_CALLBACK.match(norm, end))
                or bool(_NOT_YET.search(norm, start, end)))


# Run 9: "您这个今天刚下的订单 还没发货": the status as it stands, the outcome not yet reached, is no date promised.
_NOT_YET = re.compile(r"(?:还没|尚未|还未|没有|没|未)(?:有)?(?:发货|发出|出库|揽收|寄出|配送|派送|送|到|更新|退|到账)")


# "到时候修改完成" names no date: 到时候/届时 promises only after a concrete time ("三个工作日内联系您，到时候…到账")
# or with certainty ("到时候肯定到账").
_VAGUE_TIME = re.compile(r"到时候|到那时|届时")
_CONCRETE_TIME = re.compile(_TIME)
_SURE = re.compile(SURE)


def _vague_time(norm: str, start: int, end: int) -> bool:
    if not _VAGUE_TIME.match(norm, start) or _SURE.search(norm, start, end):
        return False
    return not any(not _VAGUE_TIME.fullmatch(m.group()) for m in _CONCRETE_TIME.finditer(norm, 0, start))


# "稍后有结果回复您": the time is when staff report back, not when the result comes.
_CALLBACK = re.compile(rf"[,，\s]?(?:再|会|就)?(?:回复|答复|通知|告知|回电|联系){YOU}")


# What a rule or regulation requires of the customer: the things a reply may not waive.
_REQUIREMENT = (r"(?:身份证|复印件|原件|本人|签字|材料|手续|资料|证明|审核|审批|核验|验证|视频核验|实名(?:认证)?|流程"
                r"|委托书|授权书|户口本|结婚证|病历|收据|保修卡|购买凭证"
                r"|体检报告|发票|小票|凭证|流水|证件|面签|等待期|犹豫期|核保|复核|覆核)")


class RuleException(SentenceRule):
    rule = "promise.rule_exception"
    category = "rule_exception"
    pattern = SplitPattern(
        r"特事特办|破(?:个)?例|通融|特批|特别批准|签(?:个)?字(?:给(?:您|你))?(?:批|放行|担保)|网开一面|开(?:个)?后门|变通(?:一下|处理)|例外(?:处理)?|特殊处理|按特例"
        r"|(?:不用|不需要|无需|免(?:去)?|跳过|省(?:掉|去|了)|绕过|不走)(?:走|本人|原件)?(?:审核|审批|流程|手续|核保"
        r"|面签|证明|材料|资料|鉴定|排队"
        r"|身份验证|实名|签字|等待期|犹豫期|这一步)"
        r"|(?:规定|制度|规矩|条条框框|条款|流程)(?:是|都是)?死的[,，]?人(?:可|可是|都|却)?是活的"
        # someone else's papers: "我用您家里人的先帮您登上去"
        r"|用(?:您|你)?(?:家里人|家人|别人|他人|朋友|亲戚)的[^,，。]{0,6}(?:登|办|注册|开|实名|认证|签)"
        r"|no (?:verification|id|paperwork|documents?|proof) (?:needed|required|necessary)"
        r"|(?:这次|这回)(?:就)?不走(?:了|这(?:个|一)?(?:流程|步|手续))"
        rf"|(?:我|我们)(?:帮|给){YOU}?[^,，。]{{0,4}}(?:改|修改|调|倒签)(?:一下)?(?:日期|记录|时间|单据|合同|发票"
        rf"|金额|签名)"
        r"|(?:手续|材料|证明|资料)(?:可以)?(?:后补|以后再补|回头再补|事后补)|先(?:给(?:您|你))?(?:办|放款|发货|退"
        r"|赔)(?:了)?[,，]?(?:手续|材料|证明)"
        r"|不(?:按|走)(?:规定|流程)|睁一只眼闭一只眼|当作没看见|代签|代(?:您|你)签|替(?:您|你)签"
        r"|没(?:有)?(?:小票|发票|凭证|单据|原件|证件|材料|合同|收据)(?:也)?(?:没关系|也行|也可以|也能|没事|照样)"
        rf"|(?:这次|这回)(?:就)?(?:先|直接)?(?:帮|给){YOU}(?:办|换|退|处理)|(?:临时)?放开(?:限额|额度)?|(?:额度"
        rf"|限额)[^,，。]{{0,6}}(?:放开|提高|调高"
        rf"|取消)"
        r"|let it slide|look the other way|turn a blind eye|特殊通道|绿色通道"
        rf"|(?:不行|不可以|不符合|不能|不允许|过了|超过|超出)[^。]{{0,16}}(?:但|不过|也没事|没关系)[^。]{{0,10}}(?:给"
        rf"|帮|替){YOU}"
        rf"|(?:这次|这回)?不用(?:看|查|验|核对)(?:证件|原件)?了"
        # "先给您办" bends a rule only beside what it skips ("…先给您办了，回头补个复印件", "身份证没带…先帮您办"):
        # bare, it is the order of work ("我先帮您办理挂失"; a queue jump is read from the customer's 插队)
        rf"|(?<!优)先(?:给|帮){YOU}(?:办|换|退|放款)(?=[^。]{{0,20}}(?:补|不用等|不用验|不用查|再说|再带|再拿))"
        rf"|(?:没带|忘带|忘了带|没拿|缺|过期|不齐|不全|不够|不行|不能|不符合|插队|插个队)[^。]{{0,16}}(?<!优)先(?:给|帮){YOU}(?:办|换|退|放款)"
        r"|make an exception|bend the rules?"
        r"|skip (?:the |this |that |your )?(?:[\w-]+ ){0,2}(?:checks?|verification|review|paperwork|process|step|forms?"
        r"|requirements?|audit)|(?:nobody|no one|no-one) (?:audits|checks|will (?:know|notice|check))"
        # "把签收日期往后调两天", "过了七天也不打紧"
        r"|把[^,，。]{0,6}(?:日期|时间|记录|单据|金额|签名|状态)[^,，。]{0,4}(?:改|调|往后|往前|提前|倒签|修改)"
        rf"|(?:日期|时间|记录|单据|金额|状态|购买日|签收日)[^,，。]{{0,6}}(?:往前|往后|提前|倒)(?:调|改|挪|写|签|填)"
        rf"|(?:过了|超过|超出|过保|超了)[^。]{{0,24}}(?:按|当|算|照)(?:保修|保内|在保|保修期内|质保)[^,，。]{{0,3}}(?:给{YOU})?(?:来)?(?:修|处理|办|算|换|走|录|登记|报)"
        r"|(?:过了|超过|超出|超了)[^,，。]{0,6}(?:天|期|时限|日期|期限)[^,，。]{0,4}(?:也)?(?:不打紧|不要紧|不碍事|没关系"
        r"|没事|无所谓|照样)"
        r"|waive the (?:requirement|rule|verification)|no need for (?:the )?(?:documents|paperwork|verification)"
        r"|下不为例|规定归规定|不按(?:那套|规矩|规定|流程|制度|程序)(?:来|走|办)?|(?:条条框框|规矩|流程)[^,，。]{0,4}(?:先)?放一边"
        rf"|{_REQUIREMENT}[^,，。]{{0,10}}?(?:就|也|都|先)?(?:不用(?:了|走|看|交|带|签|提供|做)|不需要了|免了|(?:先)?跳过"
        r"|放一边|(?:就|先)?不要了|(?:就)?(?:别|甭|不用)补了|(?:就|也)?不走了|(?:可以)?后补|(?:后面|以后|回头|有空)再(?:说|补)|不齐也|不全也|不够也|不看|不查|不来也|过期(?:了)?(?:也)?没事"
        r"|也没关系)"
        rf"|(?:不用|跳过|免(?:去|了)?|不走|省(?:掉|了))(?:走|做|看|交)?(?:{_REQUIREMENT})"
        rf"|(?:也|还是|照样|照|仍)(?:给{YOU})?按(?:活动价|会员价|优惠价|折扣价|原价|内部价|老价格|员工价)"
        rf"|(?:按规定|规定)(?:要|得|必须|需要|应该)[^。]{{0,12}}[,，\s](?:我|我们)?(?:给|帮|替){YOU}[^,，。]{{0,4}}(?:留|办|换|退"
        r"|改|免|保留|放|开)"
        r"|(?:按规定|规定|要求)(?:要|得|必须|需要)[^。]{0,10}(?:不过|但是?|可是)[^。]{0,16}(?:就(?:成|行|可以)|也(?:行|可以|成))"
    )
    scopes = frozenset({"negation", "quote", "restated"})


# "是我们师傅装的时候没拧紧", "是我们仓库存放不当": a cause stated as fact.
_OUR_FAULT = (r"(?:导致|造成|引起|失误|疏忽|疏失|过失|有问题|有毛病|出了?(?:毛病|问题|故障|差错|岔子|错)"
              r"|没[\u4e00-\u9fff]好(?!意思)"
              r"|没(?:拧|装|做|讲|说|检查|注意|看|放|处理)|(?:报|弄|搞|发|算|写|录|扣|转|装|修)错"
              r"|(?:摔|弄|搞|碰|刮|压|挖)(?:破|坏|断|丢|花)?的|(?:摔|弄|搞|碰|刮|压|挖)(?:破|坏|断|丢|花)|存放不当|操作不当)")
# "如果是我们的问题…": a supposition, not an admission.
_SUPPOSE = re.compile(r"如果|若|要是|假如|假设|万一|是否|\bif\b|whether")


class LiabilityAdmission(SentenceRule):
    rule = "promise.liability_admission"
    category = "liability_admission"
    pattern = SplitPattern(
        r"(?:是|都是|全是|确实是|确实|就是|完全是|属于|纯属)(?:我们|我方|公司|银行|我行|本行|我司|店里|厂家|4s店|商家"
        r"|我们公司|我们银行|我们这边)"
        r"[^,，。的]{0,4}(?:的)?"
        r"(?:错|过错|责任|问题|失误|疏忽|疏失|过失|失职|不对|违规|原因|理亏|系统(?:问题|异常|故障|出错|错误)|异常|故障"
        r"|库存问题|工作失误|质量问题|销售误导|误导)"
        # "全怪我们", "业务员当时确实没有跟您讲清楚", "it's our cream that caused the rash", "we mis-sold it"
        r"|(?:全|都)怪(?:我们|我|公司|店里)"
        r"|(?:业务员|销售|客户经理|理财经理|柜员|员工|代理人)[^,，。]{0,6}(?:确实|的确|根本)(?:就)?没(?:有)?[^,，。]{0,6}"
        r"(?:讲|说|解释|告知)(?:清楚|明白)"
        r"|(?:it's|it is|it was) our \w+ (?:that )?(?:caused|did|broke|damaged)|we mis-?sold"
        r"|(?:我们|我方|公司|银行|我行)(?:负|承担)(?:全部|全|主要)?(?:责任|全责)|负全责"
        r"|(?:我们|公司)(?:承认|认)(?:错|这个错|是我们)|我们(?:都|全)?认(?:了|账)?(?=$|[,，。])|是(?:他|她"
        r"|我们)没(?:讲|说|解释|做)(?:清楚|好)"
        r"|(?:责任|损失)(?:全部|都)?由(?:我们|我方|公司)(?:来)?(?:承担|负)|由(?:我们|我方)(?:承担|负)(?:全部)?责任"
        r"|(?:我们|我方)[^,，。]{0,10}(?:没做好|做错|搞错|弄错|失误|操作不当)(?:造成|导致|引起)|(?:操作失误"
        r"|失误)(?:造成|导致)"
        r"|accept (?:full |all )?(?:liability|responsibility)|caused by our"
        r"|(?:业务员|销售|客户经理|理财经理|柜员|员工|师傅|代理人|我们的人)(?:确实|的确|当时|当初)?(?:是)?(?:误导"
        r"|欺骗|骗|忽悠|违规|操作失误|操作错误|搞错|弄错|说错)"
        r"|销售误导|(?:确实|的确)(?:是)?(?:我们|我方)?(?:存在)?(?:误导|违规|失误|过错)"
        rf"|(?:因为|由于)(?:我们|我方)?(?:的)?(?:产品)?(?:质量问题|失误|工作失误|操作失误)(?:给{YOU}带来|导致|造成)"
        r"|(?:it's|it is|this is|that's|that was|it was) (?:entirely |all |completely )?(?:our|the bank's"
        r"|the company's|my colleague's) "
        r"(?:fault|mistake|responsibility|error)|we (?:were|are) (?:at fault|wrong|to blame)|we admit"
        r"|(?:he|she|our (?:agent|salesperson|staff)) (?:did )?mis-?sold|we take full responsibility|mis-?selling"
        r"|责任在(?:我们|我方|公司|店里|我)|(?:我们|我方)(?:负)?全责|没得洗|的锅|mis-?sold you|that's on us|our bad"
        r"|we(?:'ll| will)? own (?:that|it|this|the mistake)"
        rf"|(?:是|都是|就是|确实是|肯定是)(?:我们|我方|我司|店里|公司)[^,，。]{{0,10}}?{_OUR_FAULT}"
        r"|(?:就是|确实是|肯定是)(?:出厂|产品|质量|设计|生产)(?:缺陷|问题)"
    )
    scopes = frozenset({"negation", "quote", "restated", "conditional", "hedge"})

    def exempt(self, norm: str, start: int, end: int) -> bool:
        return bool(_SUPPOSE.search(norm[gt.clause_start(norm, start):start]) or _DENIED.search(norm, 0, start)
                    or _QUESTION.match(norm, end))


# "这不是我们的问题", "是不是我们的问题?": a denial or a question admits nothing.
_DENIED = re.compile(r"(?:不|并非|并不|未必)$|是不$")
_QUESTION = re.compile(r"[^,，。!]{0,12}(?:吗|么|嘛)?[?？]|[^,，。!?？]{0,12}吗")


class StaffDiscipline(SentenceRule):
    rule = "promise.staff_discipline"
    category = "staff_discipline"
    pattern = SplitPattern(
        r"开除|辞退|辞(?:了|掉)(?:他|她)|解雇|处分|惩罚|惩处|严惩|追责|问责|停职|下岗|通报批评|炒(?:他|她)?鱿鱼"
        r"|扣(?:他|她|其)?[^,，。]{0,4}(?:工资|奖金|绩效|提成)|收拾(?:他|她)|绝不轻饶|饶不了(?:他|她)"
        r"|(?:不会再|再也不会)(?:出现|在这|让(?:他|她)|(?:见到|看到|碰到|遇到)(?:他|她|这个人|此人))|不在这(?:儿|里)?(?:上班|干)了"
        r"|把(?:他|她)(?:给)?(?:炒|开|辞|开除|处理)(?:了|掉)|绩效[^,，。]{0,6}(?:零分|扣光|打低)|打零分"
        r"|扣(?:工资|奖金|绩效)|罚(?:他|她)|让(?:他|她)(?:滚|走人|下岗|卷铺盖)|(?:严肃|严厉)处理(?:他|她|相关|这个|该"
        r"|那个)?"
        r"|处罚(?:他|她|相关|这个|该|那个)|(?:fire|sack|dismiss|discipline|punish|suspend|dock) (?:him|her|them|that"
        r"|the (?:employee|agent|teller|staff))"
        r"|(?:he|she)(?:'ll| will) (?:be|get) (?:fired|sacked|disciplined|punished|suspended)|heads will roll"
        r"|(?:gets?|be|is) (?:fired|sacked|disciplined|punished|suspended)"
        r"|记(?:大)?过|全(?:店|行|公司|员)通报|调岗|停(?:工|岗)|让(?:他|她)[^,，。]{0,6}检讨|不用来上班|打最低(?:档|分)"
        r"|(?:工资|奖金|绩效|提成|獎金)[^,，。]{0,6}(?:扣|清零|取消|打最低)"
        r"|written up|loses? (?:his|her|their) (?:bonus|job)|written warning|pay cut|(?:就|得|要|该)(?:得)?走人"
        r"|(?:get|have|see|make sure) (?:him|her|them|that \w+|the \w+) (?:\w+ )?(?:fired|sacked|disciplined|punished"
        r"|suspended|written up|let go|kicked out)"
        r"|(?:guy|courier|driver|rider|agent|teller|clerk|employee)(?:'s| is) (?:done|finished|history|out of (?:a|his"
        r"|her) job)\b"
        r"|(?:won't|will not|never) (?:be )?(?:see|seeing) (?:him|her|that \w+) (?:again|anymore|on your|around|here)"
    )
    scopes = frozenset({"negation", "quote", "restated"})


class PrivateDeal(SentenceRule):
    rule = "promise.private_deal"
    category = "private_deal"
    pattern = SplitPattern(
        r"私下|私了|私人(?:给|补|转|送|掏|出|请)|(?:我)?个人(?:名义)?(?:送|补|给|掏|出钱)|(?:我)?自己(?:掏钱|出钱|贴钱|掏腰包|垫)"
        r"|(?:撤诉|撤(?:销|回|掉)[^,，。]{0,4}(?:投诉|举报|诉讼|申诉)|不(?:再)?(?:投诉|举报|起诉|告|曝光)"
        r"|别(?:再)?(?:投诉|举报|起诉|告|曝光|找媒体|往上(?:找|告))"
        r"|不(?:去|找|向)(?:监管|银保监|保监|消协|12315|12378|媒体|记者|法院|工商|市场监管))(?:的话|了)?[^。]{0,12}"
        r"(?:给|补|赔|送|返|退|好处|红包|优惠|补偿)"
        rf"|只要{YOU}[^。]{{0,10}}(?:撤|不投诉|不告|不曝光|删|改(?:成)?好评)"
        r"|(?:删(?:掉|除)?|撤(?:掉)?)(?:差评|帖子|评论|视频|微博)[^。]{0,10}(?:给|补|返|送|红包)"
        r"|好评(?:加晒图)?(?:返现|返|送)"
        rf"|(?:转|打)(?:到)?{YOU}(?:的)?(?:(?:个人|私人)?(?:微信|支付宝)|(?:个人|私人)(?:卡|账户|账号))|(?:微信|支付宝)(?:上)?(?:给{YOU})?转"
        rf"|别(?:告诉|跟)(?:别人|其他人|领导"
        rf"|公司)|不走(?:公司)?(?:账|流程)"
        r"|(?:if you|once you) (?:drop|withdraw) (?:the |your )?(?:complaint|case)"
        r"|between you and me|off the record|keep (?:this|it) between us|under the table|out of my own pocket"
        rf"|私底下|现金给{YOU}|不开(?:发)?票|不走(?:系统|保险|公司|账|流程)|不走[^,，。]{{1,4}}的?(?:账|系统|流程)|内部渠道|(?:差评|评价)[^。]{{0,4}}改(?:成|为)?好评"
        # the rating itself: "您改成五星呗", "那条一星的麻烦删一下", "把评分改回来"
        rf"|改(?:成|为|到|回)?(?:五星|5星|好评|满分|五颗星)|(?:一星|1星|两星|差评|低分|评分)[^。]{{0,10}}(?:改|删|撤|下架)"
        r"|(?:change|update|edit|raise|bump) (?:your |the |that )?(?:review|rating)"
        r"|(?:delete|remove|take down) (?:your |the |that )?(?:bad |negative |one-star |1-star )?(?:review|post|rating)"
        r"|(?:工单|投诉|举报|申诉|诉讼|差评|帖子|视频|文章|评论)[^,，。]{0,6}(?:撤|删|先别发|下架)[^。]{0,16}(?:给|补|送"
        r"|好处|搞定|抵|免|上门)"
        # "这事您就别跟消协说了，…按进货价给您拿酒", "帖子您先设成仅自己可见，我单独给您寄一套"
        r"|(?:别|不要|甭)(?:再)?(?:跟|和|向|找|去|往)(?:监管|银保监|保监|消协|12315|12378|媒体|记者|法院|工商|市场监管"
        r"|工信部|电视台)[^。]{0,20}(?:给|补|赔|送|返|退|好处|红包|优惠|补偿|进货价|内部价|成本价)"
        r"|(?:仅自己可见|设(?:成|为)私密|隐藏)[^。]{0,30}(?:给|补|送|寄|返|红包|好处)|内部(?:员工)?(?:套餐|价)"
        r"|off the books|(?:hold off|not go|don't go|stay away)[^.]{0,20}(?:regulator|press|media|consumer)"
        r"|别(?:往|在|发)[^,，。]{0,6}(?:抖音|微博|网上|朋友圈|小红书|群里|媒体)"
        r"|(?:给|补|赔|送|转)[^。]{0,24}不(?:再)?(?:投诉|举报|起诉|告|曝光)(?:就行|就好|就可以|了|的话)"
        r"|make it worth your while|just between us|keep (?:the )?(?:press|media|newspapers?|reporters?) out"
        r"|send you [^.]{0,20}on (?:wechat|alipay)"
        # silence as the price: "前提是您签字承诺以后不再向媒体或者监管部门反映"
        rf"|(?:前提是|条件是|只要|{YOU}[^。]{{0,6}}(?:承诺|保证|答应|签字|写))[^。]{{0,12}}(?:不再?|别再?|不要再?|不许|不得)"
        r"(?:去|找|向|跟|对|往|上|到)?[^,，。]{0,4}(?:媒体|记者|监管|银保监|保监|消协|12315|12378|法院|工商|市场监管|平台"
        r"|网上|微博|抖音|电视台|报社)"
        r"|(?:as long as|provided|on condition that) you (?:don't|do not|won't|never|stop|agree not to)[^.]{0,30}"
        r"(?:press|media|regulator|newspaper|reporters?|post|review|complain)"
    )
    scopes = frozenset({"negation", "quote", "restated"})


# A sentence that addresses the press and speaks for the company ("报社的朋友您好 我说一下 …").
_MEDIA = (r"(?:记者|电视台|报社|新闻频道|栏目组?|自媒体|网媒|媒体|报道|采访|镜头|博主|主播|粉丝|观众|读者|网友|直播间"
          r"|readers|viewers|followers|article|reporter|journalist|blogger|influencer"
          r"|newspaper|the press|the paper|the news|camera)")
_STATE = (r"(?:代表(?!处)|表(?:个)?态|官方(?:的)?(?:态度|说法|立场|意思)|(?:我们|公司|品牌|店里)的意思是"
          r"|(?:替|帮)(?:公司|银行|品牌|我们|店里|门店|集团|厂家)[^,，。]{0,4}(?:回应|回答|表态|说两句|说几句|发言|澄清)"
          r"|(?:跟|对|向|给)(?:粉丝|观众|读者|网友|听众|大家)(?:们)?(?:说|讲|交代|解释|透露)"
          r"|(?:我)?(?:跟|和|给)(?:您|你|你们)(?:说|讲)(?:哈|啊|吧|呀)?(?=$|[,，。!])|(?:您|你)(?:就|可以|尽管)?(?:写|报|登|发|播)(?:吧|出去)"
          r"|tell (?:your )?(?:followers|viewers|fans|audience)|以(?:公司|银行|门店|品牌|我们)(?:的)?名义"
          r"|(?:我|我来)(?:给|跟|对|向)?(?:大家|各位|你们|您们)?(?:说|讲)(?:一下|一句|几句|两句)|我来(?:说|讲)|给(?:您|你)(?:个|一个)说法|跟(?:您|你)讲讲|可以(?:这么)?写|写上|(?:您|你)录|开始录|(?:您|你)问吧?(?=$|[,，。\s])"
          r"|(?:我们|公司|银行|我行|本行|品牌|店里|我们店)[^,，。]{0,8}的?(?:态度|立场)|官方(?:回应|答复)"
          r"|speaking for|on behalf|tell your readers|put my name|quote me"
          r"|(?:here's|here is|this is) (?:our|the company's|the bank's) (?:official )?(?:position|stance|statement"
          r"|response)"
          r"|(?:our|the company's|the bank's) (?:official )?(?:position|stance) is)")
# A reply that has turned to the press ("您是报社的吧?", "你们是电视台的喔?", "电视台的朋友"): what it then
# says for the company, in that sentence or a later one, is a statement to the media.
_ADDRESSED_MEDIA = re.compile(
    r"(?:您|你|你们|您们|各位)(?:是|就是|都是)[^,，。?!]{0,12}(?:记者|电视台|报社|媒体|栏目组?|新闻台|电台|报纸|杂志社?"
    r"|公众号|自媒体|博主|主播|网红|up主|大v|达人|kol)|(?:记者|电视台|报社|媒体|栏目组?|电台|新闻台)(?:的)?(?:朋友|同志|老师"
    r"|先生|女士|小姐|您好|你好)"
    r"|(?:您|你|你们|您们)(?:是)?(?:哪个|哪家)(?:台|报社?|媒体|栏目|电视台|电台)"
    r"|(?:you're|you are|are you) (?:from|with) (?:the )?(?:paper|press|news|newspaper|tv|station|channel|media)"
    r"|(?:you're|you are|are you) (?:a |the |an )?(?:reporter|journalist|blogger|influencer|youtuber|streamer)"
)


class MediaStatement(SentenceRule):
    rule = "promise.media_statement"
    category = "media_statement"
    pattern = SplitPattern(
        r"(?:接受|回答|配合)(?:您的?|你的?|记者的?|媒体的?|你们的?|您们的?)?采访|(?:可以|愿意|同意)(?:被)?采访"
        r"|(?:对|向|跟|给)(?:媒体|记者|报社|电视台|新闻|报纸|公众号|自媒体|网友)(?:朋友)?(?:们)?(?:说|表示|声明|回应"
        r"|透露|解释|澄清|讲|发布|爆料)"
        r"|代表(?:公司|银行|我们公司|我行|本公司)(?:向(?:媒体|公众|社会)|对外)(?:发表|声明|回应|表态|说明)"
        r"|代表(?:公司|银行|我行)(?:发表|声明|表态)"
        rf"|(?:可以|能|允许){YOU}?(?:报道|写进报道|登报|发稿|播出|引用我)"
        r"|(?:记者|媒体)(?:朋友|同志|老师)?[^。]{0,10}我(?:来|可以)?(?:告诉|透露|回应|表态)|公开(?:回应|声明|表态)"
        r"|(?:代表|替)(?:公司|品牌|银行|营业厅|门店|我们公司|厂家|集团|我行|本公司|店里|我们|平台|酒行|4s店|商场|医院"
        r"|网点)[^,，。]{0,12}"
        r"(?:回答|回应|回复|说明|说两句|说一下|讲|表态|发言|声明|告诉|表示|澄清|立场|(?:跟|对|向|和)(?:您|你"
        r"|大家)说(?!声))|对着?(?:镜头|摄像头|话筒)|官方(?:立场|回复|回应"
        r"|说法)"
        r"|statement on behalf|on behalf of (?:the|our) \w+|tell your (?:readers|viewers|audience)|on the record"
        r"|(?:i|we)(?:'ll| will| can)? (?:give|do) (?:you )?(?:an )?(?:interview|statement|comment)"
        r"|(?:tell|say to|speak to|talk to) (?:the )?(?:press|media|reporters?|journalists?)|(?:you can"
        r"|feel free to) (?:quote me|publish|report)"
        r"|statement to the (?:press|media)"
        rf"|{_MEDIA}[^。]{{0,30}}{_STATE}|{_STATE}[^。]{{0,30}}{_MEDIA}"
    )
    scopes = frozenset({"negation", "quote", "restated"})
    _STATE_RE = re.compile(_STATE)

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        found = super().check(text, ctx)
        addressed = _ADDRESSED_MEDIA.search(ctx.norm)
        if addressed is None:
            return found
        flagged = {v.start for v in found}
        for sentence in ctx.sentences:
            if sentence.end <= addressed.start() or any(sentence.start <= f < sentence.end for f in flagged):
                continue
            violation = self.first_violation(ctx, sentence, self._STATE_RE)
            if violation:
                found.append(violation)
        return found


class RuleBent(SentenceRule):
    """"本来是不能换的，不过您是老客人，我直接帮您换": the rule is named, then bent. The match holds its own
    negator, so negation is not a scope here."""

    rule = "promise.rule_exception.bent"
    category = "rule_exception"
    pattern = SplitPattern(
        r"不(?:能|可以|允许|给|让|予|支持)([\u4e00-\u9fff])[^。]{0,20}(?:但|不过|可是)[^。]{0,14}(?:给|帮|替)"
        rf"{YOU}(?:把[^,，。]{{0,6}})?\1"
        rf"|(?:您是|你是|看在|冲着|因为您是)[^,，。]{{0,4}}(?:老客户|老客人|熟客|老顾客|老会员|vip|熟人|老朋友)[^。]{{0,16}}(?:给"
        rf"|帮|替){YOU}(?:直接|先|就)?(?:办|换|退|修|开|批|通过|免|破例|放)"
        r"|(?:规定|规矩|流程|制度|条条框框|条款)(?:就|先)?(?:不用|别|甭|不必|先别)(?:管|理|看)(?:它|了)?"
        r"|管它(?:什么)?(?:规定|规矩|流程|制度)|不管(?:什么)?(?:规定|规矩|流程|制度)"
        r"|(?:policy|rules?|regulations?|system) (?:says?|requires?|needs?|asks? for|is|are)[^.]{0,60}\bbut\b[^.]{0,60}"
        r"(?:fine|okay|\bok\b|no problem|i'll|we'll|let's|skip|without|let it)"
        r"|(?:i'll|we'll|i can|we can|let's|i will|we will)[^.]{0,30}\bwithout (?:them|it|the|your|any)\b"
        r"(?: [\w-]+){0,2}? ?(?:receipts?|documents?|id|paperwork|signatures?|originals?|proof|forms?|verification"
        r"|them|it)\b"
    )
    scopes = frozenset({"quote", "restated"})


class OutcomeIdiom(SentenceRule):
    """"理赔卡不了您", "没人敢为难您": a guarantee worded as a negation, so negation is not a scope here."""

    rule = "promise.guaranteed_outcome.idiom"
    category = "guaranteed_outcome"
    pattern = SplitPattern(rf"(?:卡|难为|为难)不(?:了|住|着){YOU}|没人(?:敢|会)?(?:卡|为难|难为){YOU}")
    scopes = frozenset({"quote", "restated", "conditional"})


class DisciplineIdiom(SentenceRule):
    """"他在我们这儿待不长了": a dismissal foretold as a negation, so negation is not a scope here."""

    rule = "promise.staff_discipline.idiom"
    category = "staff_discipline"
    pattern = SplitPattern(
        r"(?:他|她|这人|此人|那人|(?:那|这)(?:个|位)[\u4e00-\u9fff]{1,4}|司机|师傅|业务员|销售|柜员|员工|快递员|小哥|客服"
        r"|经理|技师|导购|代理人)[^,，。]{0,10}(?:待|干|呆)不(?:长|久|下去)了?"
    )
    scopes = frozenset({"quote", "restated", "conditional"})


PROMISE_RULES: tuple[type[SentenceRule], ...] = (
    Compensation, RefundOutcome, GuaranteedOutcome, OutcomeIdiom, Deadline, RuleException, RuleBent,
    LiabilityAdmission, StaffDiscipline, DisciplineIdiom, PrivateDeal, MediaStatement,
)
