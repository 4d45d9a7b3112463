"""A few dozen synthetic messages in four categories, made up for the tests."""

import itertools

PLACES = ["幸福小区", "和平路", "东湖街道", "滨江花园", "人民医院旁", "第三中学门口"]

PATTERNS = {
    "traffic": [
        "{}公交车站太远，出行不便",
        "{}路口红绿灯坏了，交通拥堵",
        "{}道路破损，车辆通行困难",
    ],
    "environment": ["{}垃圾堆积发臭，环境污染", "{}工厂排放废气，空气难闻", "{}夜间施工噪音扰民"],
    "education": ["{}学校乱收补课费", "{}幼儿园入学难，学位不足", "{}学生课业负担太重"],
    "labour": ["{}公司拖欠工资不发", "{}社保缴费断缴无法补交", "{}养老保险待遇没有落实"],
}


def examples() -> tuple[list[str], list[str]]:
    """72 (text, label) pairs: every pattern at every place."""
    texts, labels = [], []
    for label, patterns in PATTERNS.items():
        for pattern, place in itertools.product(patterns, PLACES):
            texts.append(pattern.format(place))
            labels.append(label)
    return texts, labels
