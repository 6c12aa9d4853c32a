"""The recall table: Chinese queries a reader would type, written from the demo data, each with the records it must find.

Each expected hit is the end of a result's URL (a page, or a record's anchor on its page). Used by
tests/test_search.py in headless Chromium; the figure it measures is in docs/search.md.
"""

from __future__ import annotations

QUERIES: list[tuple[str, list[str]]] = [
    # names of members (2 and 3 characters)
    ("唐慧娜", ["members/shi-tanghn/index.html"]),
    ("熊立光", ["members/bygd-xionglg/index.html"]),
    ("尹刚涛", ["members/yy-yingt/index.html"]),
    ("陶林建", ["members/hl2b-taolj/index.html"]),
    ("付梅雪", ["members/sq3-fumx/index.html"]),
    ("林秀静", ["members/hlxx-linxj/index.html"]),
    ("吴林", ["members/zw-wulin/index.html"]),
    ("蒋英娟", ["members/sqyy-jiangyj/index.html", "#h-shi-2011-h05"]),
    ("罗杰胜", ["#h-tr-2011-h02"]),
    # organisations, whole and in part
    ("红柳河团场三连", ["units/hongliu-lian-3/index.html"]),
    ("政务服务中心", ["units/shi-zhengwu/index.html"]),
    ("天润棉业物流分公司", ["units/mianye-wuliu/index.html"]),
    # words of 2 to 6 characters
    ("节水灌溉", ["#c-hl-2011-c08", "#c-by-2011-c04"]),
    ("冰雹", ["#c-sq3-2011-c03"]),
    ("晨检", ["#c-yy-2011-c04"]),
    ("学困生", ["#c-hlxx-2011-c10"]),
    ("采棉机", ["#c-hl2a-2011-c02"]),
    ("动物防疫", ["#c-by1-2011-c11"]),
    ("养老保险", ["#c-slsq-2011-c07"]),
    ("空巢老人", ["#c-hlsq-2011-c13"]),
    ("手足口病", ["#c-yy-2011-c04"]),
    ("明码标价", ["#c-hlsq-2011-c11"]),
    ("绿色通道", ["#c-bygd-2011-c02"]),
    ("楼道杂物", ["#c-hlsq-2011-c10"]),
    ("矛盾纠纷", ["#c-hl1-2011-c19"]),
    ("护理差错", ["#c-yy-2011-c14", "#c-yy-2011-c19"]),
    ("先进典型", ["#c-hl-2011-c10"]),
    ("抄表准确率", ["#c-bygd-2011-c07"]),
    ("屯垦戍边", ["#c-hl-2011-c02"]),
    ("群众满意窗口", ["#c-zw-2011-c01"]),
    # phrases and long queries typed without spaces
    ("冰雹灾后帮助受灾职工补种", ["#c-hl3-2011-c06", "#c-by4-2011-c07"]),
    ("每月主持一次职工议事会", ["#c-sq3-2011-c07"]),
    ("抢修到达时间不超过两小时", ["#c-bygd-2011-c08"]),
    ("诚信经营明码标价", ["#c-hlsq-2011-c11"]),
    # two words with a space, a name and a word
    ("任卫 养老保险", ["#c-slsq-2011-c07"]),
    ("曾忠强 补种", ["#c-hl3-2011-c06"]),
]
