"""Layer 1b: Traditional characters and written Cantonese, read as Simplified Mandarin.

Borrowers in Hong Kong, Taiwan, Macau and abroad write Traditional characters (還錢, 號碼, 投訴)
and Cantonese words (聽日 "tomorrow", 唔係 "is not", 冇 "have not", 咗 the perfective). The rule
tables are written once, in Simplified Mandarin; normalisation folds the rest onto it:

1. a few Cantonese characters whose meaning depends on their neighbours (係 is 是 except in
   關係, 呢 is 这 before a measure word) are rewritten in context;
2. every Traditional character in the table below becomes its Simplified form (one to one,
   and only characters that are never Simplified with another meaning: 乾 and 著 stay as they are);
3. Cantonese words become the Mandarin words the rules know, longest first.

Only characters and words that carry meaning for the rules or the date and amount layers are
listed; anything else passes through unchanged, which is harmless (the rules never see it).
"""

from __future__ import annotations

from typing import Final

from .lazyre import lazy

# Traditional -> Simplified, as pairs "繁简". Grouped loosely by topic for review.
_PAIRS: Final = (
    # money, debt, paying
    "還还錢钱帳账賬账貸贷債债償偿費费罰罚違违約约額额幾几萬万兩两塊块圓圆價价貴贵買买賣卖"
    "匯汇轉转帳账單单數数據据筆笔餘余總总計计們们個个這这說说話话請请問问題题號号碼码"
    "給给發发過过會会時时間间現现歲岁點点後后處处擔担擾扰騷骚嚇吓脅胁騙骗詐诈罵骂態态惡恶"
    "難难聽听講讲讓让認认識识證证據据書书簽签約约審审議议訴诉訟讼檢检舉举報报監监範范務务"
    "員员職职領领導导經经貨货購购資资財财賺赚賴赖賭赌貪贪賤贱責责敗败負负質质貼贴餓饿飯饭"
    # time and dates
    "禮礼拜拜週周曆历歷历號号點点鐘钟晚晚後后從从將将幾几"
    # contact, messages, phone
    "電电訊讯簡简傳传絡络聯联繫系線线網网郵邮寄寄打打話话機机短短復复覆复應应該该謝谢"
    "關关閉闭開开門门頭头體体樣样麼么麽么為为無无沒没與与並并對对錯错誤误過过"
    # people, family, work
    "親亲屬属戚戚媽妈爺爷奶奶孫孙兒儿婦妇夫夫醫医師师僱雇傭佣闆板廠厂業业東东級级團团隊队"
    "辦办號号鄰邻居居區区場场學学師师長长鄉乡莊庄陳陈劉刘張张楊杨黃黄趙赵吳吴孫孙馬马鄭郑"
    "謝谢韓韩馮冯鄧邓蔣蒋蘇苏盧卢賈贾龍龙葉叶譚谭顧顾錢钱韋韦龔龚鄒邹閆闫賀贺羅罗魯鲁"
    # feelings, complaints, quality
    "氣气煩烦討讨厭厌瘋疯噁恶臉脸醜丑騙骗搶抢偷偷黑黑嚴严厲厉兇凶壞坏爛烂髒脏羞羞恥耻"
    "驚惊嚇吓慘惨憤愤懶懒壓压迫迫擊击濫滥亂乱規规則则條条務务權权護护貌貌禮礼誠诚謊谎"
    # hardship, illness, disaster
    "業业災灾禍祸颱台車车傷伤藥药療疗險险喪丧葬葬瘡疮癱瘫醫医診诊術术產产虧亏閉闭倒倒辭辞"
    "裁裁資资薪薪餉饷補补貼贴緊紧難难湊凑齊齐夠够窮穷寬宽緩缓減减免免擴扩延延遲迟暫暂"
    # grammar and common words
    "這这那那裡里裏里邊边嗎吗麼么呢呢們们個个來来進进還还讀读寫写聞闻聽听見见覺觉顯显"
    "實实際际處处當当隨随須须雖虽讓让給给對对經经歷历從从於于沒没無无為为與与只只隻只"
    "個个頁页頂顶順顺預预頓顿願愿變变舊旧雙双幫帮應应歸归氣气聲声處处寫写總总聽听樂乐"
    "種种類类統统續续紀纪結结給给細细終终絕绝維维編编繳缴纏缠線线練练組组紅红純纯紙纸級级"
    "設设試试詢询詳详語语讀读課课調调談谈論论謂谓許许訂订記记訪访評评譯译議议護护變变"
    "陣阵陰阴陽阳際际陸陆險险隱隐隨随雜杂離离難难靜静韓韩頻频顏颜風风飛飞飲饮館馆驗验"
    "專专業业東东兩两嚴严喪丧豐丰臨临舉举義义烏乌樂乐習习書书亂乱爭争虧亏產产畝亩親亲"
    "億亿僅仅從从侖仑倉仓個个們们倫伦偉伟側侧偵侦傑杰備备傢家儘尽優优儲储兇凶兌兑黨党"
    "內内冊册寫写軍军農农凈净減减劃划則则剛刚創创劇剧勁劲動动務务勞劳勢势勳勋區区華华協协"
    "卻却廳厅歷历厲厉壓压厭厌參参雙双發发變变敘叙葉叶號号嘆叹嗎吗啟启員员響响啞哑喚唤"
    "團团園园圍围國国圖图圓圆場场壞坏塊块堅坚壇坛墊垫奪夺奮奋媽妈嬰婴孫孙學学寧宁寶宝實实"
    "寵宠審审憲宪宮宫寢寝層层屬属豈岂幣币師师帳账帶带幹干廣广莊庄慶庆庫库開开異异棄弃"
    "張张強强歸归當当錄录徹彻憶忆憂忧憐怜戀恋懇恳懸悬驚惊懼惧慘惨慣惯憤愤戲戏戰战戶户執执"
    "擴扩掃扫揚扬擋挡掙挣擠挤撿捡擲掷攬揽攝摄擺摆敵敌鬥斗斷断曉晓殺杀權权歡欢殘残毀毁畢毕"
    "漢汉滬沪澤泽潔洁測测濃浓漲涨潤润漸渐溫温灣湾滿满滾滚滅灭燈灯靈灵爐炉燒烧熱热愛爱"
    "獨独獄狱豬猪獻献環环畫画暢畅蓋盖盤盘確确礙碍窮穷競竞籠笼籌筹糧粮緊紧糾纠紹绍綁绑"
    "繼继績绩綜综綠绿緣缘縮缩罷罢腫肿膽胆勝胜腦脑脫脱捨舍艱艰節节榮荣獲获營营藍蓝虛虚"
    "觸触覽览觀观訓训計计討讨託托詞词誘诱諾诺謠谣財财貧贫賞赏贏赢趕赶軟软輕轻載载較较輛辆"
    "輸输遷迁運运違违連连適适選选遞递遺遗鄰邻釋释鑒鉴針针鈔钞鐵铁銀银鋪铺鏈链銷销鎖锁"
    "鍵键鎮镇鏡镜閃闪闖闯閒闲閑闲悶闷鬧闹闊阔階阶陝陕隸隶靠靠麵面頃顷項项頑顽颳刮飢饥飽饱"
    "駕驾驅驱駁驳騰腾鳥鸟雞鸡麥麦齡龄擁拥碼码簽签霸霸譜谱係系"
)
TRADITIONAL_TO_SIMPLIFIED: Final[dict[str, str]] = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}
_TABLE: Final = str.maketrans({t: s for t, s in TRADITIONAL_TO_SIMPLIFIED.items() if t != s})

# Characters whose Cantonese reading depends on their neighbours, rewritten before the table.
_IN_CONTEXT: Final[tuple[tuple[str, str], ...]] = (
    (r"(?<![關关聯联維维體体派])係", "是"),  # 係 "to be", but 關係 / 聯係 "relation, contact"
    (r"呢(?=[個个筆笔度啲些條条張张次排單单位間间])", "这"),  # 呢筆錢 "this sum", not the particle
    (r"仲(?![裁介夏秋冬])", "还"),  # 仲 "still", but 仲裁 "arbitration"
)
_IN_CONTEXT_RE: Final = tuple((lazy(p), s) for p, s in _IN_CONTEXT)

# Written Cantonese (after the table, so in Simplified) -> Mandarin, longest first.
CANTONESE: Final[dict[str, str]] = {
    "听日": "明天",
    "听朝": "明天早上",
    "寻日": "昨天",
    "琴日": "昨天",
    "噚日": "昨天",
    "唔系": "不是",
    "唔好": "不要",
    "唔该": "请",
    "唔识": "不认识",
    "唔够": "不够",
    "唔得": "不行",
    "唔啱": "不对",
    "唔": "不",
    "系咪": "是不是",
    "真系": "真是",
    "冇": "没有",
    "咗": "了",
    "嘅": "的",
    "俾": "给",
    "畀": "给",
    "佢哋": "他们",
    "佢": "他",
    "哋": "们",
    "几多": "多少",
    "搵": "找",
    "揾": "找",
    "做乜嘢": "做什么",
    "做咩": "做什么",
    "乜嘢": "什么",
    "乜": "什么",
    "咩": "吗",
    "嚟": "来",
    "啲": "些",
    "喺": "在",
    "过数": "转账",
    "讲嘢": "说话",
    "嘢": "东西",
    "倾": "聊",
    "阿妈": "妈妈",
    "阿爸": "爸爸",
    "老豆": "爸爸",
    "日日": "天天",
    "而家": "现在",
    "点解": "为什么",
    "点样": "怎样",
    "边个": "谁",
    "边度": "哪里",
    "几时": "什么时候",
    "咁": "这么",
    "嗰": "那",
    "攞": "拿",
    "睇": "看",
    "返工": "上班",
    "份工": "工作",
    "屋企人": "家人",
    "屋企": "家里",
    "老细": "老板",
    "差佬": "警察",
    "有咩": "有什么",
    "简讯": "短信",
    "讯息": "信息",
}
_CANTONESE_RE: Final = lazy("|".join(sorted(CANTONESE, key=len, reverse=True)))


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters and Cantonese words in Simplified Mandarin."""
    for pattern, simplified in _IN_CONTEXT_RE:
        text = pattern.sub(simplified, text)
    text = text.translate(_TABLE)
    return _CANTONESE_RE.sub(lambda m: CANTONESE[m.group(0)], text)


__all__ = ["CANTONESE", "TRADITIONAL_TO_SIMPLIFIED", "to_simplified"]
