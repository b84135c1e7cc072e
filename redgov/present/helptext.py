"""The Chinese ``--help`` of every command and option (the English is the code's own).

A command's English help is its docstring and each option's ``help=``, next to the code
they describe; the Chinese forms live here, keyed by the command's path (``"review
approve"``, ``""`` for ``redgov`` itself) and, for an option, the path and the option's
first name (``"sync --dry-run"``).  An option shared by many commands (``--store``,
``--lang`` …) is written once under its bare name and used wherever no command gives its
own.  ``tests/test_present_cli.py`` walks every command: one without its Chinese help here
fails, so adding a command means adding its lines here.

Placeholders (metavars) are Chinese too: :data:`METAVARS` names each placeholder the
code writes, :data:`TYPE_METAVARS` the ones click derives from an option's type.
"""

from __future__ import annotations

from typing import Final

from ..commands.common import CYPHER_HELP_EXAMPLE
from ..graph.conditions import live

__all__ = ["COMMANDS", "METAVARS", "OPTIONS", "TYPE_METAVARS"]

_LANG = "界面语言（表格、CSV、XLSX）：中文（zh）或英文（en）；--format json 始终保留稳定编码。"
_STORE = ("embedded（默认，内嵌数据库）、falkordb://主机:端口、bolt://…、neo4j://… 或 "
          "neo4j+s://…（否则取 $REDGOV_STORE）。")
_TIMEOUT = ("读取超过这么久即停止（由数据库执行；0 表示不限；默认 $REDGOV_READ_TIMEOUT，"
            "否则 120 秒）。")
_PROGRESS = ("在标准错误输出上显示进度：auto 在终端上实时显示（--format json、管道或 $CI "
             "时不显示），plain 每个阶段一行，none 不显示。")
_SNAPSHOT = ("按这个已发布的快照作答：日期 YYYY-MM-DD（该日或之前的最新快照）、同步运行编号，"
             "或 latest（默认）。`redgov status` 列出全部快照。")
_FORMAT = "输出格式：table（默认）、json、csv 或 xlsx（xlsx 需要 --out）。"
_FORMAT_SHORT = "输出格式：table（默认）或 json。"
_OUT = "写入文件而不是标准输出。"
_SCOPE = "只看这个单位及其下级。"

#: option name → Chinese help, for every command that gives none of its own below.
OPTIONS: Final[dict[str, str]] = {
    "--lang": _LANG, "--store": _STORE, "--timeout": _TIMEOUT, "--progress": _PROGRESS,
    "--snapshot": _SNAPSHOT, "--format": _FORMAT_SHORT, "--out": _OUT, "--scope": _SCOPE,
    "--version": "显示版本并退出。", "--help": "显示本帮助并退出。",
}

#: command path → its Chinese help (the first sentence is the line in the command list).
COMMANDS: Final[dict[str, str]] = {
    "": "redgov：党建引领“红色物业”治理图谱。",
    "redgov --lang": "帮助和提示的语言：中文（zh）或英文（en）。",
    "access-log": (
        "查看看板的访问日志：登录、登录失败、打开的页面、提问及其参数、适用的范围、返回行数和下载。"
        "\n\n日志按流读取，任意大小都只占有限内存：json 逐条输出；表格只保留最新的 --limit 条。"),
    "access-log --user": "只看这个账号的记录。",
    "access-log --since": "只看该日期或时刻（YYYY-MM-DD[THH:MM]，北京时间）以来的记录。",
    "access-log --limit": "表格显示最新的若干条匹配记录（json 输出全部）。",
    "audit": (
        "列出审计目录、运行审计问题（名称），或用 --all 把全部答案写入一个工作簿。"
        "\n\n表格、CSV 和 XLSX 为中文（--lang en 为英文）；json 保留稳定编码。"),
    "audit --param": "审计问题的参数（键=值）。",
    "audit --as-of": "快照内的有效日期（默认：快照日期）。",
    "audit --format": _FORMAT,
    "audit --all": "运行全部审计问题，写入一个工作簿。",
    "audit --explain": "第一列为该键的那一行，以及得出它的事实（附来源）。",
    "cypher": (
        "运行一条只读的 Cypher 查询（写入、LOAD CSV 和外部过程一律拒绝）。"
        "\n\n快照：每次同步发布一个快照（编号 1、2……；`redgov status` 列出），图中保留每条记录的"
        "每个版本。节点或关系属于快照 N，当且仅当 `vf <= N < vt`。使用 `$snapshot` 的查询默认取最新"
        "发布的编号，可用 --param snapshot=N 指定；不按 `$snapshot` 过滤的查询会看到每条记录的所有"
        "版本，包括旧版本。"
        "\n\n审计目录的共用条件（`@live`、`@current`、`@active`、`@in_scope`）在这里不可用：它们只在目录"
        "自己的查询里展开。请粘贴展开后的条件；对节点或关系 x："
        "\n\n\b\n"
        f"  快照内有效：    {live('x')}\n"
        "  且未退出台账：  ... AND coalesce(x.retired, false) = false\n"
        "  在 $as_of 有效：... AND (x.start IS NULL OR x.start <= $as_of)\n"
        "                      AND (x.end IS NULL OR $as_of < x.end)"
        "\n\n每个模式的第一个节点和每个关系都要检查（给关系命名：`-[r:SITS_AT]->`）。"
        "示例（快照 2 中各层级未退出的单位数；单引号防止终端展开 `$snapshot`）："
        f"\n\n\b\n  redgov cypher '{CYPHER_HELP_EXAMPLE}' --param snapshot=2"),
    "cypher --param": "查询参数（`$键`）；snapshot=N 把 `$snapshot` 固定为快照 N。",
    "dashboard": "在数据库上启动看板（Streamlit）；看板只读取图数据。",
    "dashboard --port": "服务端口。",
    "dashboard --host": ("服务地址。非本机地址需要看板账号（redgov user add）和 TLS"
                         "（--tls-cert/--tls-key），除非指定 --insecure-http。"),
    "dashboard --tls-cert": "TLS 证书（PEM），即 Streamlit 的 server.sslCertFile。",
    "dashboard --tls-key": "证书的私钥（PEM），即 Streamlit 的 server.sslKeyFile。",
    "dashboard --insecure-http": "在非本机地址上用明文 HTTP 服务（仅限位于终结 TLS 的代理之后）。",
    "dashboard --oidc-issuer": ("单点登录：本部门的 OpenID Connect 身份提供方（其签发者地址）。"
                                "账号用 redgov user add/set --oidc-subject 关联。"),
    "dashboard --oidc-client-id": "身份提供方为本看板登记的客户端编号。",
    "dashboard --oidc-secret-file": "保存客户端密钥的文件（权限 600），密钥在第一行。",
    "dashboard --oidc-redirect-uri": ("在身份提供方登记的回调地址"
                                      "［默认：本看板地址 + redgov/oidc/callback］。"),
    "dashboard --no-browser": "不打开浏览器窗口。",
    "demo": "生成演示城市：一份合成的台账导出，并同步进图。",
    "demo --scale": ("district 为公开资料中的湖里区；city 为厦门市 6 个区；province 为不少于 5 万个"
                     "小区、100 万人（用于性能测试）。"),
    "demo --seed": "种子相同，导出逐字节相同。",
    "demo --export-only": "只把导出写入这个目录，不同步。",
    "demo --history": ("生成并同步这么多个月度全量导出（月末，截至 2024-12-31，每月约 2% 变动）："
                       "每个发布一个快照。"),
    "diff": ("两个快照之间的变化：新增、退出或迁移的单位和组织；开始和结束的任职；隶属、监管和物业"
             "服务合同的变化；以及 --level 各单位核心指标的变动。"),
    "diff --from": "较早的快照：日期（YYYY-MM-DD）或运行编号。",
    "diff --to": "较晚的快照：日期或运行编号。",
    "diff --level": "比较哪一层级单位的核心指标。",
    "diff --format": _FORMAT,
    "diff --out": "写入文件（xlsx 必须）。",
    "diff --all-figures": "列出每个单位的全部指标，而不只是有变动的。",
    "evaluate": ("评选某一类别（示范项目、示范企业、最美业委会、最美物业人，或 project、company、"
                 "committee、person）的 --year 年度结果：得分、附证据的资格、名次、名额。"),
    "evaluate --year": "评选年度。",
    "evaluate --scope": "只看这个单位及其下级的候选对象。",
    "evaluate --quota": "当年名额（默认：原文的 30/10/10/50）。",
    "evaluate --format": _FORMAT,
    "pull": ("从来源获取新的台账导出，校验后同步或暂存待审核。"
             "\n\n不指定名称也不加 --once 时，只获取按计划到期的来源。每个来源一行；"
             "失败时说明原因，且不做任何改动。"),
    "pull --once": "立即获取每个来源（或指定的来源），不管计划，然后退出。",
    "pull --every": "持续运行：每隔这么久（1h、15m）醒来一次，获取到期的来源。",
    "pull --status": "显示每个来源的上次尝试、上次成功、下次运行和失败次数。",
    "review": "暂存的同步（redgov sync 路径 --review）：列出、查看、批准、驳回。",
    "review approve": "像直接同步一样发布一次暂存的同步；暂存之后若已发布其他快照则拒绝。",
    "review list": "全部暂存的同步，最新的在前：编号、来源、快照日期、基准、各表记录数。",
    "review reject": "驳回一次暂存的同步：保留并标记为已驳回（附理由），永不应用。",
    "review reject --reason": "驳回理由（与暂存数据一起保存）。",
    "review show": "一次暂存的同步：按表列出每条记录变化前后的字段。",
    "service": "在 systemd（Debian）下无人值守地运行 redgov pull。",
    "service install": "把 redgov-pull.service 和 redgov-pull.timer 写入 --dir。",
    "service install --dir": "单元文件写到哪里（主机上为 /etc/systemd/system）。",
    "service install --every": "定时器多久唤醒一次 redgov pull（每个来源仍按自己的计划）。",
    "service install --user": "服务以哪个系统账号运行（默认：当前账号）。",
    "service install --redgov": "redgov 程序的路径（默认：正在运行的这个）。",
    "service install --env-file": "可选的环境文件（REDGOV_STORE、NEO4J_PASSWORD 等），权限 0600。",
    "show": ("某个单位、组织或人员在某一快照中的情况：层级位置、任职、成员、隶属、监管和物业服务"
             "合同，每项附来源（快照日期、台账表和行、同步运行）。"),
    "show --snapshot": "读取哪个快照（默认：最新）。",
    "show --as-of": "哪些任职、监管和合同算作在任（默认：快照日期）。",
    "source": "获取来源：台账发放导出的地方（由 redgov pull 获取）。",
    "source add": "登记一个来源（投放目录或 HTTP 或 HTTPS 地址）。",
    "source add --folder": "台账把 .zip/.xlsx 导出投放进来的目录。",
    "source add --url": "提供台账当前导出的 HTTP 或 HTTPS 地址。",
    "source add --scope": "这个来源的导出可以改动哪个单位及其下级。",
    "source add --review": "每次导出先暂存待审核，而不是直接发布（redgov review approve）。",
    "source add --schedule": "到期时多久获取一次（30m、1h、1d）。",
    "source add --ca-file": "为台账证书签名的 CA 的 PEM 文件。",
    "source add --auth": "bearer：会询问令牌；basic：--user 加密码。",
    "source add --user": "--auth basic 的用户名。",
    "source add --settle": "目录来源：文件保持这么久未变才读取。",
    "source add --timeout": "HTTP 读取超时。",
    "source list": "已登记的来源（凭据只显示是否已设置）。",
    "source remove": "删除一个来源及其凭据。",
    "source test": "检查能否连通某个来源；不下载，也不同步。",
    "status": "显示数据库、引擎、某一快照（默认最新）的节点和关系数、已发布的快照和最近一次同步。",
    "stop": "停止当前数据目录（$REDGOV_HOME）的内嵌数据库服务。",
    "sync": (
        "同步位于该路径的台账导出（目录、其 .zip 压缩包或一个 .xlsx 工作簿）。"
        "\n\n导出包含清单表（来源、导出时间、快照日期、类型、版本；类型为全量或增量），以及单位、"
        "组织、人员、任职（必需）和监管、物业服务、走访、评价、评分、命名、事件、经费（可选）各表，"
        "可以是以表名命名的 CSV 文件、一个 .xlsx 工作簿中的各工作表，或 CSV 目录的 .zip 压缩包。"
        "各表的列、错误报告的含义和常见错误的改法：docs/使用说明.md（§ 同步台账）。"),
    "sync --dry-run": "只校验和比对，不写入。",
    "sync --review": ("校验和比对后暂存变更待审核，而不是直接发布（`redgov review list`、"
                      "`show`、`approve`、`reject`）。"),
    "sync --errors-out": "把错误写成 CSV（UTF-8 带 BOM），台账人员可以用 Excel 打开。",
    "targets": ("在所选快照上对照分步部署推进目标的进度，附各目标在历次已发布快照上的趋势和"
                "到期预测。"),
    "targets --snapshot": "按这个已发布的快照计算进度（默认：最新）；趋势使用截至它的全部快照。",
    "targets --file": "改用这个目标文件，而不是本市自己的（否则用随附的默认值）。",
    "targets --format": "输出格式：table（默认）、json、csv 或 xlsx（xlsx 需要 --out）。",
    "targets edit": "编辑本市自己的目标（从默认值生成）；只有有效时才保存。",
    "targets edit --from": "改用这个文件（先校验），而不是打开编辑器。",
    "targets show": "当前生效的目标及其所在文件。",
    "targets show --file": "改用这个目标文件，而不是本市自己的（否则用随附的默认值）。",
    "user": "看板账号：谁可以登录、以什么角色、能看到哪些单位。",
    "user add": "创建账号；密码会提示输入（或从标准输入读取）。",
    "user add --role": ("viewer：总览、层级、人员；auditor：另加审计和下载；"
                        "admin：另加同步记录和账号。"),
    "user add --scope": "账号能看到的单位及其下级（必填；管理员不填表示全部）。",
    "user add --oidc-subject": ("把账号关联到本部门身份提供方的这个主体标识"
                                "（单点登录：redgov dashboard --oidc-issuer …）。"),
    "user add --email": "把账号关联到这个电子邮箱（身份提供方确认已验证时）。",
    "user add --no-password": "不设本地密码（只通过身份提供方登录）。",
    "user disable": "停用账号：不能再登录，已打开的会话立即结束。",
    "user enable": "重新启用账号。",
    "user list": "列出账号（从不显示密码）。",
    "user passwd": "设置账号的密码（结束其已打开的会话并解除登录锁定）。",
    "user remove": "删除账号（其访问日志保留）。",
    "user set": "修改账号的角色、范围或单点登录关联；其已打开的会话立即结束。",
    "warm": ("算好同步后看板首次打开要用的答案（按快照保存），或用 --wait 等待同步在后台启动的"
             "这项计算完成。"),
    "warm --snapshot": "快照序号（默认：最新）；已不是最新快照时跳过。",
    "warm --wait": "只等待本数据库在后台进行的预热（由同步启动）完成。",
    "warm --timeout": "与 --wait 同用：等待这么多秒仍未完成则放弃（退出状态 1）。",
    "user set --role": "新角色（viewer、auditor、admin）。",
    "user set --scope": "新范围：单位编码，或 all 表示全图（仅限管理员）。",
    "user set --oidc-subject": "把账号关联到身份提供方的这个主体标识（'' 表示取消关联）。",
    "user set --email": "把账号关联到这个电子邮箱，身份提供方确认已验证时可信（'' 表示取消关联）。",
}

#: A placeholder the code writes (``metavar=``, an argument's name) → its Chinese form.
METAVARS: Final[dict[str, str]] = {
    "STORE": "数据库", "SECONDS": "秒数", "DATE": "日期", "DATE|RUN_ID": "日期|运行编号",
    "CODE": "编码", "K=V": "键=值", "KEY": "键", "SNAPSHOT": "快照", "KIND": "类别",
    "URL": "地址", "ID": "编号", "FILE": "文件", "DURATION": "间隔", "UNIT_CODE": "单位编码",
    "SUB": "主体标识", "ADDRESS": "邮箱", "[NAME]...": "[名称]...", "NAME": "名称",
    "QUERY": "查询", "PATH": "路径", "SID": "编号",
    "[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]...",
}

#: click's type name → the placeholder an option of that type shows.
TYPE_METAVARS: Final[dict[str, str]] = {
    "text": "文本", "integer": "整数", "integer range": "整数", "float": "数值",
    "float range": "数值", "filename": "文件", "file": "文件", "directory": "目录",
    "path": "路径", "boolean": "是否", "datetime": "日期",
}
