"""好差评 (R13): the 差评 reasons a citizen picks from, defined once for every channel.

A 差评 (不满意 or 非常不满意) needs a reason (GB/T 39734-2020 §9.2 classifies 差评 by what went
wrong: 服务效率, 服务水平, 服务态度 …). The window evaluator (display/evaluator.py) offers these
reasons, and the hub offers the same on the citizen's phone page (``progress.get``'s
``rating.reasons``, hub/progress.py) and accepts a web rating's reason only from them, so the
reports count 差评 reasons of both channels under the same words. Devices and the hub both import
this module (the wire ground); a hall that wants other words changes them here, in one place.
"""

from __future__ import annotations

BAD_REASONS: tuple[str, ...] = ("等候时间长", "办理效率低", "服务态度差", "业务不熟练", "材料要求不清楚",
                                "办理结果不满意", "其他")
