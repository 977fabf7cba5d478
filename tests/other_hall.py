"""A second, small hall (not the sample): 冠县 with its own name, matters, devices and printer.

Tests of "any hall, not only the sample" (issue 13 §6) write it to a file and pass it where the
sample hall would otherwise be used, then look for its words in what comes out.
"""

from __future__ import annotations

from pathlib import Path

PIN_1234 = "pbkdf2_sha256$120000$68616c6c7164656d$3e4ff03033da3a8fe860c24e3b0b64f87e22271521c3bc5c7468224ba0f9eeec"

OTHER_HALL = f'''
[hall]
id = "guanxian"
name = "冠县便民服务中心"
timezone = "Asia/Shanghai"
progress_url = "https://gx.example.cn/jd?no={{number}}&d={{date}}"
slip_footer = ["冠县政务服务热线 12345"]
notices = ["冠县便民服务中心欢迎您"]

[policy]
opening_hours = ["00:00-23:59"]
expire_at = ["11:45", "17:15"]

[[zones]]
id = "M"
name = "民生服务区"

[[queues]]
id = "H"
name = "婚姻登记"
zone = "M"

[[windows]]
id = "M01"
name = "婚姻登记窗口"
zone = "M"
kind = "special"
queues = ["H"]

[[staff]]
id = "7001"
name = "孙丽"
pin_hash = "{PIN_1234}"
roles = ["pad", "guide"]

[[devices]]
id = "GX-K"
role = "kiosk"
printer = "narrow"

[[devices]]
id = "GX-P"
role = "pad"
window = "M01"

[[devices]]
id = "GX-G"
role = "guide"

[[devices]]
id = "GX-TV"
role = "display"
zone = "M"

[[devices]]
id = "GX-W"
role = "display"
window = "M01"

[printers.narrow]
backend = "file"
path = "out/gx.bin"
width = 58
profile = "xprinter"

[[matters]]
id = "marriage"
code = "000000000001"
name = "结婚登记"
department = "民政局"
zone = "M"
kind = "immediate"
mode = "special"
queue = "H"
keywords = ["结婚", "婚姻"]
popular = true

[[matters.situations]]
id = "both-local"
name = "双方均为本县户籍"
materials = ["双方户口簿", "双方身份证", "近期半身免冠合影照片"]

[[matters.questions]]
id = "where"
text = "双方户籍在哪里？"
options = [{{ text = "都在本县", situation = "both-local" }}]
'''


def write_other_hall(directory: Path) -> Path:
    path = directory / "guanxian.toml"
    path.write_text(OTHER_HALL, encoding="utf-8")
    return path
