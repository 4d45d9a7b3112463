"""Personal data blanked out of what strangers read, and ordinary words left alone."""

from django.test import SimpleTestCase

from lianxin.cases.models import Case
from lianxin.cases.redaction import REDACTED, public_text, redact

# (what a resident wrote, what a stranger reads)
BLANKED = [
    # identity cards: 18 digits, with an X, the old 15
    ("身份证号370202198001011234，请核实", "身份证号***，请核实"),
    ("身份证37020219800101123X", "身份证***"),
    ("证件号370202800101123", "证件号***"),
    ("银行卡6222021234567890123被扣款", "银行卡***被扣款"),
    # mobiles
    ("电话13812345678", "电话***"),
    ("电话138-1234-5678或+86 139 1234 5678", "电话***或***"),
    # landlines with an area code, bare local numbers, extensions
    ("座机0532-88881234", "座机***"),
    ("座机(0532)88881234", "座机***"),
    ("座机（0532）8888-1234", "座机***"),
    ("座机053288881234", "座机***"),
    ("座机0532 88881234转802", "座机***"),
    ("家里电话88881234", "家里电话***"),
    ("家里电话8888-1234", "家里电话***"),
    # e-mails
    ("邮箱wang.xl+12345@mail.example.com.cn，回信", "邮箱***，回信"),
    # plates, old and new-energy, with and without the dot
    ("车牌鲁B12345长期占道", "车牌***长期占道"),
    ("鲁B·12345和鲁BD12345、鲁B12345F", "***和***、***"),
    ("教练车鲁B1234学", "教练车***"),
    ("车牌鲁b 12345", "车牌***"),
    # doors and flats; the building stays
    ("3号楼2单元502室漏水", "3号楼***漏水"),
    ("502室楼上漏水", "***楼上漏水"),
    ("住2-502，楼道灯坏了", "住***，楼道灯坏了"),
    ("住3-2-502，楼道灯坏了", "住***，楼道灯坏了"),
    ("5栋1单元1202", "5栋***"),
    ("1202房间噪音", "***噪音"),
    # names the resident wrote about himself
    ("联系人：张伟，谢谢", "***，谢谢"),
    ("我叫李娜，", "***，"),
]

# Words and numbers that must come out as they went in.
KEPT = [
    "请拨打12345热线反映",
    "2026年6月17日上午9:30发现",
    "2026-06-17 09:30:00",
    "20260617至20260620停水",
    "维修费用12000000元太高",
    "每户收费1500元，共320户",
    "100-200元不等",
    "3号楼门口路灯不亮一周了",
    "香港中路8号5楼",
    "房子是3室2厅，90平米",
    "5-10天内答复",
    "营业时间08:30-17:30",
    "青岛市市南区",
    "坐标36.0986, 120.4012",
    "工单号LX2026061700012",
    "第3期第12号",
]


class RedactTest(SimpleTestCase):
    def test_personal_data_is_blanked(self):
        for written, shown in BLANKED:
            with self.subTest(written=written):
                self.assertEqual(redact(written), shown)

    def test_ordinary_words_and_numbers_stay(self):
        for written in KEPT:
            with self.subTest(written=written):
                self.assertEqual(redact(written), written)

    def test_the_stored_name_and_phone_go_and_the_given_name_alone(self):
        case = Case(resident_name="王秀兰", resident_phone="053288881234")
        text = "我是王秀兰，秀兰家门口积水，电话053288881234。"
        self.assertEqual(public_text(text, case), "我是***，***家门口积水，电话***。")

    def test_the_report_the_probe_got_back(self):
        case = Case(resident_name="赵建国", resident_phone="13700001111")
        written = (
            "匿名反映：我是赵建国，住福临苑3号楼2单元502室，身份证370202196505051234，"
            "座机0532-85551234，邮箱zjg1965@163.com，楼下鲁B88U88常年占消防通道。"
        )
        shown = public_text(written, case)
        for personal in ("赵建国", "502", "370202196505051234", "85551234", "zjg1965", "88U88"):
            self.assertNotIn(personal, shown)
        self.assertIn("福临苑3号楼", shown)
        self.assertIn("常年占消防通道", shown)
        self.assertEqual(shown.count(REDACTED), 6)
