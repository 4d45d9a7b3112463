"""The demo district's departments and two-level category taxonomy (DOMAIN.md §2)."""

# (code, name); utilities are companies the district works with, not bureaus.
DEPARTMENTS = [
    ("cgj", "区城市管理局"),
    ("zjj", "区住房和城乡建设局"),
    ("jtj", "区教育和体育局"),
    ("wjj", "区卫生健康局"),
    ("scjgj", "区市场监督管理局"),
    ("rsj", "区人力资源和社会保障局"),
    ("jtysj", "区交通运输局"),
    ("sthjj", "市生态环境局区分局"),
    ("mzj", "区民政局"),
    ("gaj", "市公安局区分局"),
    ("ybj", "区医疗保障局"),
    ("wlj", "区文化和旅游局"),
    ("swj", "区水务局"),
    ("zrzyj", "市自然资源和规划局区分局"),
    ("yjglj", "区应急管理局"),
    ("sfj", "区司法局"),
    ("tyjrj", "区退役军人事务局"),
    ("zhzfj", "区综合行政执法局"),
    ("hyfzj", "区海洋发展局"),
    ("nyncj", "区农业农村局"),
    ("rlgs", "热力公司"),
    ("gsgs", "供水集团"),
    ("gdgs", "供电公司"),
    ("rqgs", "燃气公司"),
    ("gjgs", "公交集团"),
]
# The utilities and the bus company: ranked as 公共企业, apart from the government's 职能部门.
PUBLIC_ENTERPRISES = {"rlgs", "gsgs", "gdgs", "rqgs", "gjgs"}

# first level: (code, name, [(code, name, default department code, resolution working days)])
CATEGORIES = [
    (
        "city",
        "城市管理",
        [
            ("sanitation", "环境卫生", "cgj", 10),
            ("illegal_building", "违章搭建", "zhzfj", 20),
            ("street_vending", "占道经营", "zhzfj", 5),
            ("greening", "园林绿化", "cgj", 10),
            ("street_lights", "路灯照明", "cgj", 5),
            ("municipal_facilities", "井盖护栏等市政设施", "cgj", 5),
        ],
    ),
    (
        "estate",
        "物业与小区管理",
        [
            ("property_service", "物业服务", "zjj", 10),
            ("lift", "电梯加装与维修", "zjj", 30),
            ("building_repair", "房屋维修", "zjj", 15),
            ("estate_parking", "小区停车", "zjj", 10),
        ],
    ),
    (
        "transport",
        "交通出行",
        [
            ("road_repair", "道路维修", "jtysj", 15),
            ("bus", "公交站点与线路", "gjgs", 15),
            ("traffic_order", "交通秩序与停车", "gaj", 10),
            ("ferry", "轮渡与票价", "hyfzj", 15),
        ],
    ),
    (
        "utilities",
        "水电气暖",
        [
            ("heating", "供暖", "rlgs", 5),
            ("water_supply", "供水", "gsgs", 3),
            ("drainage", "排水与下水道", "swj", 7),
            ("power", "供电", "gdgs", 3),
            ("gas", "燃气", "rqgs", 3),
        ],
    ),
    (
        "environment",
        "生态环境",
        [
            ("noise", "噪声扰民", "sthjj", 7),
            ("odour", "异味与油烟", "sthjj", 10),
            ("pollution", "水体与土壤污染", "sthjj", 15),
        ],
    ),
    (
        "education",
        "教育体育",
        [
            ("school_places", "入学与学位", "jtj", 15),
            ("school_surroundings", "校园周边", "jtj", 10),
            ("sports_facilities", "体育健身设施", "jtj", 15),
        ],
    ),
    (
        "health",
        "卫生健康",
        [
            ("medical_service", "医疗服务", "wjj", 10),
            ("pest_control", "病媒防治", "wjj", 7),
            ("medical_insurance", "医保报销", "ybj", 10),
        ],
    ),
    (
        "welfare",
        "社会保障与民生",
        [
            ("social_assistance", "养老与社会救助", "mzj", 15),
            ("employment", "就业与社保", "rsj", 15),
            ("hukou_permits", "户籍与证照", "gaj", 10),
            ("dogs", "犬只管理", "gaj", 10),
            ("veterans", "退役军人服务", "tyjrj", 15),
        ],
    ),
    (
        "market",
        "市场监管",
        [
            ("food_safety", "食品安全", "scjgj", 5),
            ("consumer_disputes", "消费纠纷", "scjgj", 10),
        ],
    ),
    (
        "governance",
        "邻里与平安",
        [
            ("neighbour_disputes", "邻里纠纷", "sfj", 10),
            ("safety_hazards", "安全隐患", "yjglj", 5),
        ],
    ),
    (
        "tourism",
        "文化旅游",
        [
            ("tourism_service", "旅游服务", "wlj", 10),
            ("culture", "文化活动与场馆", "wlj", 15),
        ],
    ),
]
