"""Read a complaint: language, customer type, intensity, issue, demands, risk flags, staff advice.

Deterministic rules on a normalised copy (NFKC, traditional → simplified, lower case), so simplified,
traditional and English input go through the same patterns. The customer types and the advice come
from the course material: the seven types of corpus 004, the risk identification of corpus 000/001.
Advice is for staff only; it never goes into the customer-facing reply.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from coach import safety
from coach.demand_model import DemandModel
from coach.escalation import advice_for
from coach.safety_model import SafetyModel, customer_turns, read
from coach.script import to_simplified
from coach.types import Analysis, CustomerType, DemandName, Language, RiskFlag, Turn


@dataclass(frozen=True)
class Issue:
    key: str
    zh: str  # the topic as a noun phrase: "您反映的理赔的问题"
    en: str
    pattern: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Order = priority: the first issue whose pattern matches names the complaint.
ISSUES: tuple[Issue, ...] = (
    Issue("mis_selling", "保单销售时的说明问题", "what you were told when the policy was sold",
          _rx(r"(?:业务员|代理人|销售|推销|理财经理).{0,12}(?:骗|误导|忽悠|承诺|说的|说好|保证|隐瞒|没说)|误导|骗我买|被骗.{0,6}(?:保险|理财)"
              r"|mis-?sold|misled|lied to me|the agent (?:told|said|promised)")),
    Issue("surrender", "退保的问题", "cancelling the policy", _rx(r"退保|解约|cancel(?:ling)? (?:my|the) policy|surrender")),
    Issue("claim", "理赔的问题", "the claim", _rx(r"理赔|拒赔|赔付|报案|claim")),
    Issue("remittance", "汇款的问题", "the transfer", _rx(r"汇款|转账|汇不出|跨境|外汇|到账|remittance|transfer|wire")),
    Issue("charges", "扣费的问题", "the charges", _rx(r"扣费|扣款|乱收费|多收|手续费|年费|话费|账单|收费|charged|fee|bill")),
    Issue("card_account", "账户和银行卡的问题", "your account", _rx(r"冻结|锁卡|挂失|银行卡|信用卡|账户|account|card")),
    Issue("product", "产品质量的问题", "the product", _rx(r"质量|坏了|故障|维修|退货|换货|漏(?:水|油|电|气|酒|液|风)|渗漏|defect|broken|faulty|repair"
                                                     r"|crack|damaged|doesn'?t work|stopped working")),
    Issue("network", "通话和网络的问题", "the line and network", _rx(r"信号|断线|掉线|通话中断|网速|上不了网|宽带|断网|没网|网断|网络(?:故障|不通|断|卡)"
                                                       r"|signal|dropped call|network|broadband|wi-?fi (?:is )?down")),
    Issue("delivery", "送货的问题", "the delivery", _rx(r"快递|发货|送货|物流|没收到|delivery|parcel|shipping")),
    Issue("service", "服务态度和等候的问题", "how you were treated", _rx(r"态度|排队|等了|不理|爱理不理|凶|骂|服务差|柜员|客服"
                                                                   r"|rude|waited|queue|attitude|ignored")),
)
GENERAL = Issue("general", "这个问题", "the matter you raised", _rx(r"$^"))

# Where an issue can arise (absent: anywhere). With the staff member's domain known, an issue of another trade is
# not the complaint: 解约 of a broadband contract is no 退保, 到账 of a shop's refund no 汇款 (panels -g, -h:
# "卖酒的事写成全额退保", "宽带解约写成退保").
ISSUE_DOMAINS: dict[str, frozenset[str]] = {
    "mis_selling": frozenset({"insurance", "bank"}),
    "surrender": frozenset({"insurance", "bank"}),
    "claim": frozenset({"insurance", "bank", "delivery", "car_aftersales", "ecommerce"}),
    "remittance": frozenset({"bank"}),
    "card_account": frozenset({"bank"}),
    "network": frozenset({"telecom"}),
    "product": frozenset({"telecom", "car_aftersales", "wine_retail", "cosmetics", "ecommerce", "delivery"}),
    "delivery": frozenset({"telecom", "wine_retail", "cosmetics", "ecommerce", "delivery", "car_aftersales"}),
}

# 全额 asked back; 全额赔付 / 全额赔偿 / 全额给付 is the whole sum insured or claimed, not money back (panel -l)
IN_FULL = r"全额(?![^，,。！？!?]{0,4}(?:赔|给付|保险金))"
DEMAND_PATTERNS: tuple[tuple[DemandName, re.Pattern[str]], ...] = (
    # 退回去 is a parcel sent back to its sender (没退回去吧), not money back to the customer (panel -k)
    ("refund", _rx(r"退(?:款|保|钱|货|费|还|回(?!去))|(?<!说)给我退|退给我|(?:要|都|全)(?:给我)?(?:全)?退(?:了|掉)?(?=[\s，,。！!？?]|$)|"
                     + IN_FULL + r"|把钱(?:还|退)"
                     # asked whether it can come back (这钱能不能退？能退吗): a refund asked for (h24-005: panel -m)
                     r"|(?:能不能|能否|可不可以|可以|能)退(?=[\s，,。！!？?吗么嘛呀啊]|一部分|一点|$)|退不退"
                     r"|refund|money back|cancel")),
    ("compensation", _rx(r"赔(?:偿|钱|我(?![^，。！？,.!?]{0,3}利息)|付损失)|补偿|损失费|compensat|reimburse (?:me|us)\b|damages")),
    # interest asked for back, not the rate they were sold on (利息比银行高) or ask about (what is the interest rate)
    ("interest", _rx(r"(?:补|赔|给|还|算|退|要|少|损失|亏|付|及|和|以及|多收|多付)[^，,。！？!?]{0,8}利息(?![比高低率])"
                     r"|利息[^，,。！？!?]{0,6}(?:补|赔|给我|还给|损失|没了|算给|照付)"
                     r"|(?:lost|owed|back the|pay (?:me )?the|compensat\w* (?:me )?for the) interest|interest (?:i|we) (?:lost|missed)")),
    ("apology", _rx(r"道歉|赔礼|认错|apolog")),
    ("deadline", _rx(r"今天|今晚|明天|马上|立刻|立即|现在就|当天|\d+\s*(?:天|小时)内|尽快|给个时间|什么时候|多久"
                     r"|(?:哪天|哪一天|几号|啥时候|几时)(?:能|才|可以|会)?(?:发|到(?!期)|送|寄|修|办|退|好|给)"
                     r"|today|tonight|tomorrow|right now|immediately|asap|how long|when will|what day|which day")),
    ("discipline", _rx(r"开除|辞退|处分|处罚|处理(?:那个|这个|那位|这位)?(?:业务员|员工|柜员|人)|追责|fire (?:him|her|them)|punish|discipline")),
    ("see_manager", _rx(r"(?:叫|找|让|请|喊|要见|见见?)(?:你们)?(?:的|这儿的|这里的|店里的|厅里的)?[\u4e00-\u9fff]{0,2}"
                        r"(?:经理|领导|领到|主管|负责人|行长|店长|上级)(?!.{0,2}介绍)"
                        r"|谁说了算|说话算数的|能做主的|做得了主的|能做决定的|能拍板的|级别不够|跟我说不着|管事的(?:来|出来)"
                        r"|(?:经理|领导|主管|负责人|行长|店长)(?:呢|在哪|[\u4e00-\u9fff]{0,3}(?:出来|过来|下来|出面|叫来|喊来|找来))"
                        # the one in charge asked to call: 请你们服务厂的主管今天直接打给我
                        r"|(?:请|让|叫)[^，。！？,.!?]{0,8}(?:经理|领导|主管|负责人|店长)[^，。！？,.!?]{0,8}(?:打给我|给我打电话|给我回电|回电话给我|联系我)"
                        r"|换(?:你们|个|一个)?(?:的)?(?:经理|领导|主管|负责人|店长)(?:来|过来|出来|跟我)"
                        r"|(?:get|call|bring|fetch|put|speak to|talk to|speak with|talk with|see|want) (?:me )?(?:through )?(?:to )?(?:your|the|a) "
                        r"(?:manager|supervisor|boss)|someone (?:with|in) (?:authority|charge)|someone senior|where is (?:your|the) manager")),
)

FLAG_PATTERNS: tuple[tuple[RiskFlag, re.Pattern[str]], ...] = (
    # A customer's own recording is evidence, not media; filming to post it is.
    ("media", _rx(r"记者|媒体|曝光|电视台|报社|报纸|自媒体|热搜|拍下来发|发帖|帖子|blog|followers|粉丝|直播(?!间)|镜头|livestream"
                  # 上网课 / 上网一天多少钱 is using the internet, not posting on it (panel -h)
                  r"|(?:发|挂|晒|传|放)[^，。,.!！?？]{0,4}(?:抖音|微博|小红书|网上|朋友圈|懂车帝|论坛|点评|网(?![课费速络]))"
                  r"|上(?:了)?(?:抖音|微博|小红书|网上|朋友圈|懂车帝|论坛|点评|热搜)"
                  r"|(?:抖音|微博|小红书|懂车帝|论坛|朋友圈)[^，。,.!！?？]{0,4}(?:发|曝光|挂|晒|帖)"
                  r"|差评|journalist|reporter|(?<!social )\bmedia\b|newspaper|\btv\b|post (?:it|this) online|viral|one-star|bad review"
                  r"|post (?:the |my )?(?:photos|pictures|video)"
                  # a platform named is a threat only when they will post there: "the set you posted on Weibo" is
                  # the shop's own post (panel -j, a fan asking about a restock)
                  r"|(?:\b(?:i|i'll|i'm|we|we'll|we're)\b[^.!?]{0,20}(?:post|put|share|upload|write|expose|tell)|posting)"
                  r"[^.!?]{0,60}(?:xiaohongshu|weibo"
                  r"|douyin|tiktok|dianping|facebook|instagram|twitter|wechat groups?|expat groups?|social media"
                  r"|the media)"
                  r"|(?:go|going|went|talk|talking|speak|speaking) to the (?:media|press)")),
    ("regulator", _rx(r"银保监|保监|银监|金融监管|ncc|消基会|消委会|金管会|消保官|消保处|监管(?:局|部门|机构)|消协|消费者协会|12315|12378|工商|市场监管|人民银行|央行|信访|金管局"
                      r"|工信部|通信管理局|通管局|12300|12363|regulator|consumer (?:council|association)|ombudsman|watchdog|pboc|cbirc|nfra"
                      r"|people's bank")),
    ("lawyer", _rx(r"律师(?!事务所的(?:前台|同事|员工))|起诉|法院|打官司|诉讼|告你们|告到|法律途径|法律程序|法务|法庭"
                   r"|lawyer|attorney|\bsue\b|court|legal action|legal (?:department|team|counsel)|solicitor")),
    ("group_visit", _rx(r"(?:[3-9]|[1-9]\d|三|四|五|六|七|八|九|十|几十|十几|好几)\s*(?:个|位|名|户|家)?(?:人|客户|老人|业主|投保人|家属|家庭)"
                        r"(?:一起|都|一块|过来|来了|联名)|我们(?:这些人|一群|几个|大家)|大家一起|一起来|集体|联名|组团|群访"
                        r"|我们(?:[3-9]|三|四|五|六|七|八|九|十|十几|几十)\s*(?:个|位)|大家都来了|业主都来了|整个(?:单元|小区|楼)的"
                        r"|(?:[二三四五六七八九]十|十)多?(?:户|家)|\d{2,}\s*户|(?:还有|外面|楼下).{0,4}(?:[3-9]|[三四五六七八九十])(?:个|多个)?人"
                        r"|(?:three|four|five|six|\d+) of us|all of us|a group of|together with (?:other|the other)")),
    # Violence, banners, and blocking the counter (坐着不走, 谁也别想办业务) — the course's 激烈客户.
    ("threat", _rx(r"横幅|堵(?:门|柜台|住|上|在)|砸|打人(?!工)|揍|(?<!不得)弄死(?!我)|拼(?:命|了)|同归于尽|放火|动手|闹(?:大|事)|不让你们(?:营业|办业务)|让你们好看"
                   r"|不走了|就不走|别想办(?:业务)?|谁也别想(?:办|买|进|走|做)|躺在(?:你们)?(?:门口|这)|占着柜台|sit-in"
                   r"|kill(?!(?:ing)? time|ing me\b|s me\b|(?:ed)? for\b)|hurt you|smash|block the|banner|burn|beat (?:you|him|her)|you'll regret|violence")),
    ("vulnerable", _rx(r"老人|大爷|大妈|老太|老伴|奶奶|爷爷|[6-9]\d\s*岁|[六七八九]十(?:多|几)?岁?了|退休|养老钱|棺材本|救命钱|血汗钱|积蓄|一辈子"
                       r"|哭|呜|病(?![历例])|残疾|孤寡|癌|化疗|透析"  # 病历 is a claim document, not an illness
                       r"|elderly|pension|life savings|crying|disabled|retired|\b[6-9]\d[- ]year[- ]old")),
    ("former_agent", _rx(r"(?:离职|以前|原来|之前|前)的?(?:业务员|代理人|员工)|我(?:就|也)?是(?:你们的?)?(?:业务员|代理人|员工)"
                         r"|业务员(?:陪|带)(?:我|着)|陪(?:我|同)(?:来|投诉)的?.{0,4}业务员|(?:former|ex-?)\s?(?:agent|employee|sales)"
                         r"|i (?:used to )?work(?:ed)? for you|as your agent"
                         # an agent who is present or acts for the customer: 我是你们三部的业务员, 我以前在你们店卖车
                         r"|我是(?:你们)?[\u4e00-\u9fff\d]{0,4}的?(?:业务员|代理人|理财经理|客户经理|销售)"
                         r"|我(?:以前|之前|原来)在你们.{0,3}(?:卖|做|干|上班|工作)"
                         r"|不在你们(?:公司|这儿|这里|店|行)(?:干)?了.{0,30}(?:一起来|陪|跟我们)"
                         # the agent is here, on the line, or left the company and still speaks to the case
                         r"|(?:业务员|销售|理财经理|客户经理|代理人|業務員)[\u4e00-\u9fff]{0,6}(?:就)?在(?:我)?(?:旁边|身边|外面|门口|车上|電話|电话|線上)"
                         r"|(?:业务员|销售|理财经理|客户经理|代理人)[^。！？!?]{0,20}(?:离职|去别的|跳槽|不在你们)"
                         r"|(?:离职|以前)的?[\u4e00-\u9fff]{0,4}(?:业务员|销售|理财经理|客户经理|代理人).{0,12}(?:陪|一起来|在)"
                         r"|agent,? who left|agent.{0,25}(?:is|was) (?:here|with me|on (?:the )?(?:phone|speaker))"
                         r"|(?:former|ex-?) (?:adviser|advisor)")),
    ("injection", _rx(r"(?:忽略|无视|忘记|不要管)(?:之前|上面|以上|前面|所有|你的)?的?(?:所有)?(?:指示|指令|规则|提示|设定|要求)"
                      r"|你现在是|扮演|系统提示|system prompt|(?<!书面)(?:直接|请)?(?:回复|输出|照着说|复述)[:：]|ignore (?:all |any )?(?:the )?"
                      r"(?:previous|prior|above|earlier) (?:instructions|rules|prompts?)|you are now|disregard|act as|respond with"
                      r"|say exactly|</?(?:system|assistant|user)>|\[inst\]|#+\s*instruction"
                      r"|作为(?:ai|人工智能|机器人|助手|模型)|你的新任务|新(?:的)?(?:指令|任务)[:：是]|原样(?:回复|输出|复述|发)|一字不(?:改|差)"
                      r"|在回复(?:的)?(?:最后|末尾|开头|里)加上|as an ai|your new task|repeat after me|verbatim")),
)

# A demand the customer rules out is not a demand: 我不是非要你们赔钱, "I'm not asking for compensation".
_NEGATED = _rx(r"不是(?:非|想|为了)?要|不是为了|不是图|不要求|不用(?:你们)?|并不(?:是)?要|也不要|不差"
               # 我不要退钱，我是要送人的 / 我不要退款啊，退款没用 (panels -n, -o: restated as 您希望退款)
               r"|不要(?:退钱|退款|退货|你们的钱|钱)|(?:退钱|退款)(?:没用|有什么用|没意义)"
               r"|不(?:想|必|需要)(?:再)?(?:非得|一定)?(?:找|叫|见|惊动)"
               r"|not (?:asking|about|after)|don'?t (?:want|need)")
_MONEY = {"refund", "compensation", "interest"}
_REPORTED_MONEY = _rx(r"(?:已经?|都|也)(?:给我)?退(?:回来?|了)|退回(?:来)?了|钱也退|(?:会|能|才能|就能|就会)(?:一起|原路|马上)?退(?:回|给)"
                      r"|(?:原路|一起)退回|退保拿回来|(?:他|她|对方|那人|客服|专员)[^，,。！？!?]{0,3}(?:说|讲|告诉我)"
                      r"|说(?:是)?[^，,。！？!?]{0,8}(?:要|会)(?:给我)?(?:退|赔)|自称"
                      # what they expect us to answer (我知道你们会说可以按保价赔我500元) is no demand of theirs
                      r"|(?:你们|你|客服)(?:肯定|一定|又|就)?会(?:跟我)?说")
_DISCLAIMABLE = {"media", "regulator", "lawyer", "threat"}  # 我不是要闹事 is no sit-in
# What the customer's own words rule out for a flag only the learned detector raised (panel -h: the fraud script for
# "我一开始还以为被诈骗了，查了下是你们扣的"; the minors' line for a 76-year-old mother's purchase)
_RULED_OUT: dict[str, re.Pattern[str]] = {
    "fraud_in_progress": _rx(r"以为(?:是)?(?:被)?(?:诈骗|骗子|骗局|被骗)|不是(?:诈骗|骗子|骗局|被骗)|没(?:有)?被骗"
                             r"|(?:not|wasn'?t|isn'?t) (?:a )?(?:scam|fraud)|thought (?:it was|i was being) (?:a )?scam"),
    # an elderly customer with no child in the story (阿姨 and 大爷 are how children address the clerk too; an adult son
    # or daughter is no child), or a university student
    "minor": _rx(r"^(?![\s\S]*(?:孩子|小孩|学生|未成年|初中|小学|高中|初[一二三]|高[一二三]|年级|上学|压岁钱|家长|校服|游戏|(?<![一二三四五六七八九十])(?:[一二三四五六七八九]|十[一二三四五六七]?)岁"
                 r"|(?<!\d)(?:[1-9]|1[0-7])岁"
                 r"|\b(?:child|kid|teen|student|minor)s?\b))[\s\S]*(?:[六七八九]十(?:[一二三四五六七八九])?岁"
                 r"|老人|老母亲|老父亲|家母|家父|老伴|退休|老身|elderly|\b[6-9]\d[- ]year[- ]old)"
                 # a university student (在南京读书的香港学生) with no minor's age or school in the story
                 r"|^(?![\s\S]*(?:未成年|初中|小学|高中|初[一二三]|高[一二三]|(?<!\d)(?:[1-9]|1[0-7])岁|\bminor\b))[\s\S]*"
                 r"(?:大学|大[一二三四](?:学生|的)|研究生|读研|留学生|在[^。！？!?]{0,6}读书的|\b(?:university|college)\b)"),
}


def _ruled_out(flag: str, norm: str) -> bool:
    pattern = _RULED_OUT.get(flag)
    return bool(pattern and pattern.search(norm))


_DISCLAIMED = _rx(r"不会(?:去)?(?:找|投诉|曝光|发|上|告)|不(?:想|打算|至于)(?:去)?(?:找|投诉|曝光|发|上|告|闹)|没打算|也不(?:去|找|会)"
                  r"|不是(?:要|来)(?:找|闹|曝光|投诉|告)|(?:won'?t|will not|not going to|no intention|don'?t want to) "
                  r"(?:go|post|call|contact|involve|complain|sue)"
                  # "I'm not going to the newspapers" (panel -l): the press named and ruled out
                  r"|(?:not|never) (?:going )?to (?:the )?(?:newspapers?|papers|press|media|tv)")
_JOB_TOLD = _rx(r"(?:儿子|女儿|老婆|老公|媳妇|妻子|丈夫|爱人|朋友|家人|亲戚|表哥|表姐|表弟|表妹|哥哥|姐姐|弟弟|妹妹|侄子|外甥|我)"
                r"[^。！？!?，,]{0,6}(?:在|是|当|做)[^。！？!?，,]{0,8}(?:律师事务所|律所|报社|电视台|杂志社|媒体|新闻)"
                r"[^。！？!?，,]{0,4}(?:上班|工作|做事|当记者|当律师|干)?"
                r"|\b(?:my )?(?:wife|husband|son|daughter|brother|sister|friend|partner|cousin|father|mother)\b[^.!?,]{0,12}"
                r"(?:works? (?:as|at|for)|is) (?:a |an )?(?:journalist|reporter|lawyer|attorney|solicitor)\b")
# …unless they mean to use it: 让他写成报道, 我儿子是律师，他说可以起诉 (the threat stands)
_PUT_TO_USE = _rx(r"曝光|报道|发到|发出去|写成|起诉|告(?:你们|到)|打官司|律师函|法律途径|帮我(?:告|写|问|发)|让(?:他|她)(?:写|报|告|发)"
                  r"|急着写|写稿|写文章|写出来|写一篇|登报|上报纸|上新闻|上节目|栏目|(?:爱|要|会|想)报|发给(?:他|她)|感兴趣"
                  # a journalist asking about a case is the press at work (我是电视台的记者，想了解一下这个投诉)
                  r"|采访|了解一下这|想了解|interview|for comment|a statement"
                  r"|expose|publish|write (?:about|it up|a story)|report (?:on|it)|\bsue\b|legal action|lawyer'?s letter"
                  r"|\bpost\b|go public")
_DEAL = _rx(r"只要|就不(?:会|去)?|否则|不然|要是|如果|\bdeal\b|\bif you\b|otherwise|or else|and i'?ll|then i")
_MONEY_NO_MATTER = _rx(r"(?:赔偿|赔钱|赔多少|钱|金额)[^。！？!?]{0,10}(?:并不在意|不在意|不在乎|无所谓|不重要|是小事)"
                       r"|(?:money|compensation)[^.!?]{0,20}(?:doesn'?t|does not) matter|not (?:about|after) the money")
_APOLOGY_REFUSED = _rx(r"(?:道歉|对不起|抱歉)(?:有什么|有啥|又有什么|能有什么)?用|(?:不用|不要|别|甭|不需要|少|唔使|唔好)(?:再)?(?:跟我|给我|和我|同我)?"
                       r"(?:说|讲|来)?(?:什么|个)?(?:道歉|对不起|抱歉)|spare me (?:the|your) apolog"
                       r"|(?:no|enough|stop) (?:more )?apolog|save (?:the|your) apolog|don'?t (?:want|need) (?:an |your )?apolog")
_APOLOGY_ASKED = _rx(r"(?:要|给|让|必须|得)(?:你们|他|她|那个)?[^，。！？!?]{0,6}(?:正式|书面|公开|当面)?(?:道歉|赔礼)|赔礼道歉"
                     r"|(?:formal|written|public) apolog|apologi[sz]e to me")
_INSULT = _rx(r"骗|垃圾|混蛋|他妈|王八|无耻|坑人|黑心|太过分|气死|受够|滚|废物|欺负|scam|fraud|idiot|useless|disgusting|ridiculous")
_POLITE = _rx(r"请问|麻烦|谢谢|您好|劳驾|不好意思|打扰|please|thank|excuse me|would you|could you")
# A polite customer who asks how to do something wants help; one who flatters or presses wants more.
_HELP_QUESTION = _rx(r"咨询|请问.{0,20}(?:怎么|哪里|哪儿|在哪|如何|能不能|可以吗|吗)|需要.{0,3}(?:准备|带)|怎么(?:办理|操作|改|弄)|能报吗"
                     r"|how (?:do|can) i|where (?:do|can) i|what do i need|is it possible to")
_TYPE_RULES: tuple[tuple[CustomerType, re.Pattern[str], str], ...] = (
    ("报复型", _rx(r"报复|让你们好看|搞垮|没完|等着瞧|你们等着|投诉到底|告到底|不会放过|每天(?:都)?来|天天来|怎么收场|(?:录音|证据|聊天记录|截图)[^。！？!?]{0,8}公证|公证[^。！？!?]{0,8}(?:录音|证据|保全)|收集了?.{0,6}(?:录音|证据)"
                   r"|录了.{0,12}录音|you'll regret|won't let this go"),
     "以受害人自居，扬言要让公司付出代价"),
    ("盛气凌人型", _rx(r"你知道我是谁|我是(?:领导|局长|处长|老板|vip|贵宾)|你算什么|你不配|叫你们(?:经理|领导|行长)|让你们(?:领导|行长)"
                       r"|大客户|白金|钻石(?:卡|会员)|一年(?:几十|上百)万|落地.{0,4}万|小职员|不跟你(?:们)?(?:这种|这些)?(?:小|普通)?"
                       r"|你们总经理|让他下来|platinum|not wasting my time"
                       r"|do you know who i am|get me your manager|you people"), "自恃身份，要求与领导见面"),
    ("彬彬有礼型", _rx(r"您人(?:这么|真|特别)好|私下问(?:您)?一?句|以您的经验|您最(?:懂|专业)|you(?:'re| are) (?:so|very) (?:kind|nice)"),
     "先博得好感，期望得到更高回报"),
    ("补偿型", _rx(r"不是为了钱|不是贪|不差这(?:点|几个)钱|讨个说法|坑害|损失|赔|补偿|利息|compensat|damages|not about the money"),
     "强调损失，目的在补偿"),
    ("表现型", _rx(r"建议|改进|提个意见|应该改|希望你们|我说两句|很好解决|你们可以(?:考虑|加|改)|suggest|improve|feedback"),
     "提出对公司的改进建议"),
    ("求助型", _rx(r"不会用|怎么(?:操作|办理|弄)|不懂|不知道怎么|教我|看不懂|how do i|don't know how|can't figure"), "不会使用，需要帮助"),
)

def normalise(text: str) -> str:
    """NFKC, traditional → simplified, lower case: the copy every pattern runs on."""
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def detect_language(text: str) -> Language:
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    latin = sum(c.isascii() and c.isalpha() for c in text)
    if not cjk or (latin > 3 * len(cjk) and latin > 20):
        return "en" if latin else "zh-Hans"
    simplified = normalise("".join(cjk))
    changed = sum(a != b for a, b in zip(cjk, simplified, strict=False))
    return "zh-Hant" if changed >= 1 else "zh-Hans"


def customer_words(message: str, conversation: list[Turn] | None) -> str:
    """Everything the customer said, oldest first; the message is the latest turn."""
    return "\n".join(customer_turns(message, conversation))


def analyse(message: str, conversation: list[Turn] | None = None, safety_model: SafetyModel | None = None,
            domain: str | None = None, demand_model: DemandModel | None = None) -> Analysis:
    """What the customer says, read for the reply; ``domain``: where the staff member works (issues of other
    trades are not considered). The learned models read the customer's words once, for both."""
    reader = safety_model or demand_model
    found = read(message, conversation, reader.embed) if reader else None
    words = customer_words(message, conversation)
    norm = normalise(words)
    clauses = re.split(r"[，,。！？!?；;\n]", norm)
    kept = [c for c in clauses if not _NEGATED.search(c)]
    asked = " ".join(kept)
    # money that came back or a caller's promise of it (钱也退回来了, 他说会原路退回, 说要赔我三倍) is no demand of theirs
    own = " ".join(c for c in kept if not _REPORTED_MONEY.search(c))
    demands = [name for name, pattern in DEMAND_PATTERNS if pattern.search(own if name in _MONEY else asked)]
    if _MONEY_NO_MATTER.search(norm):  # 赔偿多少，老夫并不在意: the compensation is what they do not ask for (panel -f)
        demands = [d for d in demands if d != "compensation"]
    if _APOLOGY_REFUSED.search(norm) and not _APOLOGY_ASKED.search(norm):  # 道歉有什么用: no apology asked for
        demands = [d for d in demands if d != "apology"]
    if demand_model:  # the rules' reading, then the learned decision for a refund or a date (COACH_DEMAND_MODEL)
        demands = demand_model.demands(message, conversation, demands, found)
    # Safety flags first: a danger to someone comes before the complaint, in the flags and in the advice.
    dangers = safety.detect(norm)  # the rules' safety flags, then those only the learned detector finds (COACH_SAFETY_MODEL)
    dangers += [f for f in safety_model.flags(message, conversation, found) if f not in dangers
                and not _ruled_out(f, norm)] if safety_model else []
    # "我也不会去找什么媒体曝光": a channel they say they will not take is no media, regulator or lawyer flag
    # (but "give me two cases and I won't post the photos" is a deal: the threat stands)
    disclaimed = norm if _DEAL.search(norm) else " ".join(c for c in clauses if not _DISCLAIMED.search(c))
    # 我儿子在律师事务所上班 / "my wife works as a journalist", told in passing with no use made of it, is no lawyer or
    # media on the case (the author guide asks for such hard negatives; panel -m flagged both)
    disclaimed = disclaimed if _PUT_TO_USE.search(norm) else _JOB_TOLD.sub(" ", disclaimed)
    flags: list[RiskFlag] = [*dangers, *(name for name, pattern in FLAG_PATTERNS
                                       if pattern.search(disclaimed if name in _DISCLAIMABLE else norm))]
    if "see_manager" in demands:
        flags.insert(flags.index("injection") if "injection" in flags else len(flags), "demand_manager")
    score = intensity_score(words, norm)
    customer_type, reason = classify(norm, score, flags)
    issue = next((i for i in ISSUES if i.pattern.search(norm)
                  and (domain is None or domain in ISSUE_DOMAINS.get(i.key, (domain,)))), GENERAL)
    language = detect_language(message)
    advice = advice_for(flags)
    return Analysis(
        language=language, customer_type=customer_type, type_reason=reason,
        intensity="high" if score >= 4 else "medium" if score >= 2 else "low", intensity_score=score,
        issue=issue.key, issue_label=issue.en if language == "en" else issue.zh,
        demands=demands, risk_flags=flags, escalate=any(f != "injection" and safety.escalates(f) for f in flags), escalation_advice=advice,
    )


def intensity_score(words: str, norm: str) -> int:
    score = len(_INSULT.findall(norm)) * 2
    score += min(3, words.count("!") + words.count("！"))
    score += 1 if re.search(r"[!！?？]{2,}", words) else 0
    letters = [c for c in words if c.isascii() and c.isalpha()]
    if len(letters) > 10 and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        score += 2
    score += 1 if re.search(r"记者|媒体|曝光|横幅|起诉|律师|监管|保监|投诉到底|journalist|media|sue|lawyer", norm) else 0
    return score


def classify(norm: str, score: int, flags: list[RiskFlag]) -> tuple[CustomerType, str]:
    """The course's seven types; the first rule that fires wins, then intensity decides."""
    if "threat" in flags and ("media" in flags or "regulator" in flags):
        return "报复型", "以曝光或上告相威胁"
    for name, pattern, reason in _TYPE_RULES:
        if pattern.search(norm):
            return name, reason
    if score >= 2:
        return "情绪发泄型", "情绪激动，以宣泄不满为主"
    if _POLITE.search(norm) and not _HELP_QUESTION.search(norm):
        return "彬彬有礼型", "语气客气、耐心，期望值不易降低"
    return "求助型", "反映问题，希望得到帮助"
