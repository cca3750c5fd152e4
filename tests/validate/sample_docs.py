"""Two small documents whose every identity holds: a budget (预算) and a final account (决算).
Tests perturb one cell and expect exactly the right rule to object."""

from __future__ import annotations

from tablekit import make_table

from schemas.tables import Table, TableStatus
from schemas.tables import TableKind as K
from schemas.values import MoneyUnit

E = ""  # an empty cell


def _funcs(values: dict[str, tuple[str, ...]], total: tuple[str, ...]) -> list[tuple]:
    names = {"208": "社会保障和就业支出", "20805": "行政事业单位养老支出", "2080505": "机关事业单位基本养老保险缴费支出",
             "2080599": "其他行政事业单位养老支出", "224": "灾害防治及应急管理支出", "22401": "应急管理事务",
             "2240101": "行政运行", "2240106": "安全监管"}
    return [("合计", "合计", list(total))] + [(code, names[code], list(v)) for code, v in values.items()]


def budget_doc() -> list[Table]:
    b_cols = ["合计", "基本支出", "项目支出"]
    general = _funcs({"208": ("60.00", "50.00", "10.00"), "20805": ("60.00", "50.00", "10.00"),
                      "2080505": ("50.00", "50.00", E), "2080599": ("10.00", E, "10.00"),
                      "224": ("140.00", "100.00", "40.00"), "22401": ("140.00", "100.00", "40.00"),
                      "2240101": ("100.00", "100.00", E), "2240106": ("40.00", E, "40.00")},
                     ("200.00", "150.00", "50.00"))
    expenditure = _funcs({"208": ("60.00", "50.00", "10.00"), "20805": ("60.00", "50.00", "10.00"),
                          "2080505": ("50.00", "50.00", E), "2080599": ("10.00", E, "10.00"),
                          "224": ("145.00", "100.00", "45.00"), "22401": ("145.00", "100.00", "45.00"),
                          "2240101": ("100.00", "100.00", E), "2240106": ("45.00", E, "45.00")},
                         ("205.00", "150.00", "55.00"))
    i_cols = ["合计", "一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金", "单位资金", "上年结转"]
    income = _funcs({c: (v, v, E, E, E, E, co) for c, v, co in (
        ("208", "60.00", E), ("20805", "60.00", E), ("2080505", "50.00", E), ("2080599", "10.00", E),
        ("224", "140.00", "5.00"), ("22401", "140.00", "5.00"), ("2240101", "100.00", E), ("2240106", "40.00", "5.00"))},
        ("200.00", "200.00", E, E, E, E, "5.00"))
    s_cols = ["收入/项目", "收入/2024年", "支出/项目", "支出/2024年合计", "支出/当年预算安排", "支出/上年结转安排"]

    def inc(key: str, v: str) -> tuple:
        return (key, key, {"收入/2024年": v})

    def exp(key: str, a: str, b: str, c: str) -> tuple:
        return (key, key, {"支出/2024年合计": a, "支出/当年预算安排": b, "支出/上年结转安排": c})

    summary = [inc("一、一般公共预算", "200.00"), inc("二、政府性基金预算", E), inc("本年收入合计", "200.00"),
               inc("上年结转", "5.00"), inc("收入总计", "205.00"),
               exp("一、一般公共服务支出", E, E, E), exp("八、社会保障和就业支出", "60.00", "60.00", E),
               exp("二十三、灾害防治及应急管理支出", "145.00", "140.00", "5.00"),
               exp("本年支出合计", "205.00", "200.00", "5.00"), exp("年终结转", E, E, E),
               exp("支出总计", "205.00", "200.00", "5.00")]
    f_cols = ["收入/项目", "收入/金额", "支出/项目", "支出/小计", "支出/一般公共预算", "支出/政府性基金预算", "支出/国有资本经营预算"]

    def fexp(key: str, a: str, b: str) -> tuple:
        return (key, key, {"支出/小计": a, "支出/一般公共预算": b, "支出/政府性基金预算": E, "支出/国有资本经营预算": E})

    fiscal = [("一、一般公共预算", "", {"收入/金额": "200.00"}), ("本年收入合计", "", {"收入/金额": "200.00"}),
              ("上年财政拨款结转", "", {"收入/金额": "5.00"}), ("一、一般公共预算#2", "", {"收入/金额": "5.00"}),
              ("收入总计", "", {"收入/金额": "205.00"}),
              fexp("八、社会保障和就业支出", "60.00", "60.00"), fexp("二十三、灾害防治及应急管理支出", "145.00", "145.00"),
              fexp("本年支出合计", "205.00", "205.00"), fexp("支出总计", "205.00", "205.00")]
    economic = [("合计", "合计", ["150.00", "130.00", "20.00"]), ("工资福利支出", "工资福利支出", ["120.00", "120.00", E]),
                ("基本工资/工资奖金津补贴", "基本工资", ["80.00", "80.00", E]),
                ("津贴补贴/工资奖金津补贴", "津贴补贴", ["40.00", "40.00", E]),
                ("商品和服务支出", "商品和服务支出", ["20.00", E, "20.00"]), ("办公费/办公经费", "办公费", ["10.00", E, "10.00"]),
                ("公务用车运行维护费/公务用车运行维护费", "公务用车运行维护费", ["10.00", E, "10.00"]),
                ("对个人和家庭的补助", "对个人和家庭的补助", ["10.00", "10.00", E]),
                ("退休费/离退休费", "退休费", ["10.00", "10.00", E])]
    g_cols = ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]
    sangong = [("因公出国(境)费", "因公出国(境)费", [E, E, E, E]), ("公务接待费", "公务接待费", ["2.00", "2.00", E, E]),
               ("公务用车购置及运行费", "公务用车购置及运行费", ["10.00", "10.00", E, E]),
               ("1公务用车购置费", "①公务用车购置费", [E, E, E, E]),
               ("2公务用车运行维护费", "②公务用车运行维护费", ["10.00", "10.00", E, E]), ("合计", "合计", ["12.00", "12.00", E, E])]
    opcost = [("部门合计", "部门合计", ["20.00", "20.00", E, E]), ("测试局", "测试局", ["20.00", "20.00", E, E])]
    p_cols = ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金"]
    projects = [("测试局", "测试局", ["50.00", "50.00", E, E, E, E]), ("Z项目甲", "Z项目甲", ["10.00", "10.00", E, E, E, E]),
                ("项目乙", "项目乙", ["40.00", "40.00", E, E, E, E])]
    c_cols = ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]
    carry = [("测试局", "测试局", ["5.00", "5.00", E, E]), ("测试局#2", "测试局", ["5.00", "5.00", E, E]),
             ("结转项目丙", "结转项目丙", ["5.00", "5.00", E, E])]
    return [
        make_table(K.BUDGET_SUMMARY, s_cols, summary), make_table(K.BUDGET_INCOME, i_cols, income),
        make_table(K.BUDGET_EXPENDITURE, b_cols, expenditure), make_table(K.BUDGET_FISCAL_SUMMARY, f_cols, fiscal),
        make_table(K.BUDGET_GENERAL_EXPENDITURE, b_cols, general),
        make_table(K.BUDGET_BASIC_ECONOMIC, ["合计", "人员经费", "公用经费"], economic),
        make_table(K.BUDGET_FUND_INCOME, ["政府性基金收入预算"], [], status=TableStatus.EMPTY),
        make_table(K.BUDGET_FUND_EXPENDITURE, b_cols, [], status=TableStatus.EMPTY),
        make_table(K.BUDGET_STATE_CAPITAL, b_cols, [], status=TableStatus.EMPTY),
        make_table(K.BUDGET_SANGONG, g_cols, sangong), make_table(K.BUDGET_OPERATING_COST, g_cols, opcost),
        make_table(K.BUDGET_PROJECTS, p_cols, projects), make_table(K.BUDGET_PROJECTS_CARRYOVER, c_cols, carry),
        target("Z项目甲", "100,000", 1), target("项目乙", "400,000", 2), target("结转项目丙", "50,000", 3),
        target("项目乙", "400,000", 4),  # the same attachment printed twice
    ]


def target(name: str, amount: str, n: int, period: str | None = None) -> Table:
    cols = ["实施期资金总额", "年度资金总额", "中央财政资金", "省级财政资金", "市县(区)财政资金", "单位自筹"]
    period = period or amount
    rows = [("实施期资金", "实施期资金", {"实施期资金总额": period, "中央财政资金": "0", "省级财政资金": "0",
                                        "市县(区)财政资金": period, "单位自筹": "0"}),
            ("年度资金", "年度资金", {"年度资金总额": amount, "中央财政资金": "0", "省级财政资金": "0",
                                    "市县(区)财政资金": amount, "单位自筹": "0"})]
    return make_table(K.PERFORMANCE_TARGET, cols, rows, table_id=f"performance_target#{n}", unit=MoneyUnit.YUAN,
                      org=None, label=name)


def final_doc() -> list[Table]:
    def inc(key: str, v: str) -> tuple:
        return (key, key, {"收入/金额": v})

    def exp(key: str, v: str) -> tuple:
        return (key, key, {"支出/金额": v})

    summary = [inc("一、一般公共预算财政拨款收入", "300.00"), inc("二、政府性基金预算财政拨款收入", E),
               inc("本年收入合计", "300.00"), inc("使用非财政拨款结余(含专用结余)", E), inc("年初结转和结余", E),
               inc("总计", "300.00"), exp("八、社会保障和就业支出", "100.00"), exp("二十二、灾害防治及应急管理支出", "200.00"),
               exp("本年支出合计", "300.00"), exp("结余分配", E), exp("年末结转和结余", E), exp("总计", "300.00")]
    codes = [("208", "100.00", "100.00", E), ("20805", "100.00", "100.00", E), ("2080505", "100.00", "100.00", E),
             ("224", "200.00", "120.00", "80.00"), ("22401", "200.00", "120.00", "80.00"),
             ("2240101", "120.00", "120.00", E), ("2240106", "80.00", E, "80.00")]
    income = _funcs({c: (t, t, E, E, E, E, E) for c, t, _, _ in codes}, ("300.00", "300.00", E, E, E, E, E))
    expend = _funcs({c: (t, b, p, E, E, E) for c, t, b, p in codes}, ("300.00", "220.00", "80.00", E, E, E))
    general = _funcs({c: (t, b, p) for c, t, b, p in codes}, ("300.00", "220.00", "80.00"))
    fcols = ["收入/项目", "收入/金额", "支出/项目", "支出/合计", "支出/一般公共预算财政拨款", "支出/政府性基金预算财政拨款",
             "支出/国有资本经营预算财政拨款"]

    def fexp(key: str, v: str) -> tuple:
        return (key, key, {"支出/合计": v, "支出/一般公共预算财政拨款": v, "支出/政府性基金预算财政拨款": E,
                           "支出/国有资本经营预算财政拨款": E})

    fiscal = [inc("一、一般公共预算财政拨款", "300.00"), inc("本年收入合计", "300.00"), inc("年初财政拨款结转和结余", E),
              inc("总计", "300.00"), fexp("八、社会保障和就业支出", "100.00"), fexp("二十二、灾害防治及应急管理支出", "200.00"),
              fexp("本年支出合计", "300.00"), fexp("年末财政拨款结转和结余", E), fexp("总计", "300.00")]
    detail = [(k, k, [v]) for k, v in (
        ("301", "200.00"), ("30101", "150.00"), ("30102", "50.00"), ("303", "5.00"), ("30302", "5.00"),
        ("人员经费合计", "205.00"), ("302", "14.00"), ("30201", "6.00"), ("30217", "3.00"), ("30231", "5.00"),
        ("公用经费合计", "15.00"), ("309", "——"), ("30901", "——"), ("310", "1.00"), ("31002", "1.00"))]
    blocks = {f"{b}/{c}": v for b in ("预算数", "决算数") for c, v in (
        ("合计", "8.00"), ("因公出国(境)费", E), ("小计", "5.00"), ("公务用车购置费", E), ("公务用车运行维护费", "5.00"),
        ("公务接待费", "3.00"))}
    stats = [(k, k, [v]) for k, v in (
        ("合计", "15.00"), ("货物", "5.00"), ("工程", E), ("服务", "10.00"), ("二、机关运行经费", E),
        ("(一)行政单位", "15.00"), ("(二)参照公务员法管理事业单位", E), ("三、国有资产占用情况", E),
        ("(一)车辆数合计(辆)", "2"), ("1.副部(省)级及以上领导用车", E), ("2.主要负责人用车", E), ("4.应急保障用车", "1"),
        ("5.执法执勤用车", "1"), ("(二)单价100万元(含)以上设备(不含车辆)", E))]
    return [
        make_table(K.FINAL_SUMMARY, ["收入/项目", "收入/金额", "支出/项目", "支出/金额"], summary),
        make_table(K.FINAL_INCOME, ["本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入",
                                    "其他收入"], income),
        make_table(K.FINAL_EXPENDITURE, ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出",
                                         "对附属单位补助支出"], expend),
        make_table(K.FINAL_FISCAL_SUMMARY, fcols, fiscal),
        make_table(K.FINAL_GENERAL_EXPENDITURE, ["小计", "基本支出", "项目支出"], general),
        make_table(K.FINAL_BASIC_DETAIL, ["决算数"], detail),
        make_table(K.FINAL_FUND, ["年初结转和结余", "本年收入", "小计", "基本支出", "项目支出", "年末结转和结余"], [],
                   status=TableStatus.EMPTY),
        make_table(K.FINAL_STATE_CAPITAL, ["合计", "基本支出", "项目支出"], [], status=TableStatus.EMPTY),
        make_table(K.FINAL_SANGONG, list(blocks), [("数据", "数据", blocks)]),
        make_table(K.FINAL_INFO_STATS, ["统计数"], stats),
        self_eval_split(), self_eval_plain(),
    ]


def self_eval_split() -> Table:
    cols = ["目标申报数", "年初预算数", "全年预算数", "全年执行数", "资金结(转)余", "执行率", "分值", "得分",
            "年初预算数(元)", "预算执行数(元)", "预算执行率(%)"]
    funds = {"目标申报数": "0", "年初预算数": "20.000", "全年预算数": "20.000", "全年执行数": "18.000", "资金结(转)余": "2.000",
             "执行率": "90.00%", "分值": "10", "得分": "9"}
    narrative = _narrative({"年初预算数(元)": "200000元", "预算执行数(元)": "180000元", "预算执行率(%)": "90"})
    rows = [("资金总额", "资金总额", funds), ("指标1", "完成率", {"分值": "50", "得分": "50"}),
            ("指标2", "满意度", {"分值": "40", "得分": "38"}), ("合计", "合计", {"分值": "100", "得分": "97"}), narrative]
    return make_table(K.SELF_EVALUATION, cols, rows, table_id="self_evaluation#1", unit=None, org=None,
                      label="应急演练经费")


def _narrative(cells: dict[str, str]) -> tuple:
    return ("项目绩效分析", "项目绩效分析", cells)


def self_eval_plain() -> Table:
    cols = ["年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"]
    rows = [("资金总额", "资金总额", {"年初预算数": "0.00", "全年预算数": "62.00", "全年执行数": "62.00",
                                      "执行率": "100.00%", "分值": "10", "得分": "10.00"}),
            ("合计", "合计", {"分值": "100", "得分": "100"})]
    return make_table(K.SELF_EVALUATION, cols, rows, table_id="self_evaluation#2", unit=None, org=None,
                      label="基建补助资金")
